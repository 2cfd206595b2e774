;;; emacs_e2e.el --- end-to-end check of the wishful language server with Emacs + eglot  -*- lexical-binding: t -*-
;;
;;   E2E_PYTHON=/path/to/venv/bin/python E2E_FILE=/path/to/project/app.py \
;;     emacs --batch -l tests/editors/emacs_e2e.el
;;
;; Written for Emacs 28 with Debian's elpa-eglot 1.9 (on the load path through site-start, so
;; do not pass -Q); it uses only what eglot 1.9 offers.  E2E_FILE is the same project file as
;; for tests/editors/nvim_e2e.lua (`from wishful.text import extract_emails`, next to a
;; pyproject.toml); the environment must not set WISHFUL_* variables (offline model).
;;
;; The server is configured the way a user would: an `eglot-server-programs' entry for
;; python-mode, and `eglot' started with the contact eglot guesses from it.
;;
;; Batch-mode notes: `eglot-ensure' waits for a command loop that batch mode never runs, so
;; `eglot' is called directly; Flymake's idle timer never fires, so the wait loops call
;; `flymake-start' themselves.
;;
;; Progress lines go to stderr, prefixed "E2E".  Exit status: 0 when every step passed,
;; otherwise the failing step's number (same numbers as nvim_e2e.lua), 1 for an error in this
;; script, 20 when the server process exited before the end.

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)
(require 'xref)
(require 'python)

(defconst e2e-steps
  '((2 . "start the server")
    (3 . "wishful.missing diagnostic")
    (4 . "code action offered")
    (5 . "code action carries (or resolves to) the generate command")
    (6 . "workspace/executeCommand generates")
    (7 . ".wishful/text.py written")
    (8 . "diagnostic gone after generation")
    (9 . "hover shows the signature")
    (10 . "definition goes to .wishful/text.py")
    (11 . "server shuts down cleanly")))
(defconst e2e-server-exited 20)
(defconst e2e-wait-secs 15)
(defconst e2e-generate-secs 40)

(defvar e2e-t0 (float-time))
(defvar e2e-server nil "The eglot server object.")
(defvar e2e-process nil "The server's process.")
(defvar e2e-generated nil "Params of the wishful/generated notification (a plist).")
(defvar e2e-stopping nil)

(defun e2e-log (fmt &rest args)
  (message "E2E %5.0fms %s" (* 1000 (- (float-time) e2e-t0)) (apply #'format fmt args)))

(define-error 'e2e-failure "E2E step failed")

(defun e2e-fail (step fmt &rest args)
  (let ((msg (apply #'format fmt args)))
    (when (and e2e-process (not (process-live-p e2e-process)) (/= step 11))
      (setq msg (format "%s (the server exited: %s %s)" msg (process-status e2e-process)
                        (process-exit-status e2e-process))
            step e2e-server-exited))
    (signal 'e2e-failure (list step msg))))

(defun e2e-step (n) (e2e-log "step %d: %s" n (alist-get n e2e-steps)))
(defun e2e-ok (n fmt &rest args) (e2e-log "ok   %d: %s" n (apply #'format fmt args)))

(defun e2e-server-dead-p ()
  (and e2e-process (not (process-live-p e2e-process))))

(defun e2e-wait (secs pred)
  "Run process output and timers until PRED is non-nil, SECS pass or the server exits."
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (not (e2e-server-dead-p)) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (funcall pred)))

(defun e2e-lsp-diags (&optional code)
  "The wishful LSP diagnostics Flymake holds for the current buffer (as eglot got them)."
  (flymake-start)
  (cl-loop for d in (flymake-diagnostics)
           for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
           when (and lsp (equal (plist-get lsp :source) "wishful")
                     (or (null code) (equal (plist-get lsp :code) code)))
           collect (cons d lsp)))

(defun e2e-describe (diags)
  (if diags
      (mapconcat (lambda (pair)
                   (let* ((lsp (cdr pair)) (r (plist-get lsp :range))
                          (s (plist-get r :start)) (e (plist-get r :end)))
                     (format "[%s %s sev=%s %d:%d-%d:%d %S]" (plist-get lsp :source) (plist-get lsp :code)
                             (plist-get lsp :severity) (plist-get s :line) (plist-get s :character)
                             (plist-get e :line) (plist-get e :character) (plist-get lsp :message))))
                 diags " ")
    "(none)"))

(defun e2e-file-text (path)
  (when (file-exists-p path)
    (with-temp-buffer (insert-file-contents path) (buffer-string))))

(defun e2e-goto (line col)
  "Move to 0-based LINE and COL."
  (goto-char (point-min))
  (forward-line line)
  (forward-char col))

;; the server's own notification, sent after a module was generated
(cl-defmethod eglot-handle-notification
  (_server (_method (eql wishful/generated)) &rest params)
  (setq e2e-generated params))

(defun e2e-run ()
  (let* ((py (getenv "E2E_PYTHON"))
         (file (getenv "E2E_FILE"))
         (_ (unless (and py (not (string-empty-p py)) file (not (string-empty-p file)))
              (error "Set E2E_PYTHON (the python that has wishful-lsp) and E2E_FILE (the project's app.py)")))
         (file (file-truename file))
         (root (file-name-directory file))
         (generated-path (expand-file-name ".wishful/text.py" root))
         (jsonrpc-default-request-timeout 10)
         buf)
    (when (file-exists-p generated-path) (error "%s exists before the test" generated-path))

    ;; 2: open the file; start the server the way eglot-server-programs says
    (e2e-step 2)
    (setq eglot-server-programs
          (cons `(python-mode . (,py "-m" "wishful_lsp")) eglot-server-programs))
    ;; t: wait for the initialize answer however the output arrives (a number would stop
    ;; waiting at the first output of any process, e.g. a line on the server's stderr)
    (setq eglot-sync-connect t
          eglot-connect-timeout e2e-wait-secs
          eglot-autoshutdown nil)
    (unless (file-executable-p py) (e2e-fail 2 "%s is not an executable file" py))
    ;; hold on to the server (and its stderr) even when the handshake fails
    (add-hook 'eglot-server-initialized-hook
              (lambda (server) (setq e2e-server server e2e-process (jsonrpc--process server))))
    (setq buf (find-file-noselect file))
    (set-buffer buf)
    (python-mode)
    ;; eglot-ensure never fires in batch mode: call eglot with the contact it guesses
    (condition-case err
        (apply #'eglot (eglot--guess-contact))
      (error (e2e-fail 2 "eglot could not connect: %S" err)))
    (unless (e2e-wait e2e-wait-secs (lambda () (eglot-current-server)))
      (e2e-fail 2 "no eglot server for %s" file))
    (setq e2e-server (eglot-current-server))
    (setq e2e-process (jsonrpc--process e2e-server))
    (unless (eglot-managed-p) (e2e-fail 2 "eglot does not manage the buffer"))
    (e2e-ok 2 "%s: %S" (jsonrpc-name e2e-server) (process-command e2e-process))

    ;; 3: the warning on `wishful.text' (line 1, columns 5-17)
    (e2e-step 3)
    (flymake-mode 1)
    (unless (e2e-wait e2e-wait-secs (lambda () (e2e-lsp-diags "wishful.missing")))
      (e2e-fail 3 "no wishful.missing diagnostic within %ds; Flymake has %S" e2e-wait-secs
                (flymake-diagnostics)))
    (let* ((pair (car (e2e-lsp-diags "wishful.missing")))
           (fd (car pair)) (lsp (cdr pair))
           (range (plist-get lsp :range)))
      (unless (and (eql (plist-get (plist-get range :start) :line) 1)
                   (eql (plist-get (plist-get range :start) :character) 5)
                   (eql (plist-get (plist-get range :end) :line) 1)
                   (eql (plist-get (plist-get range :end) :character) 17))
        (e2e-fail 3 "wrong range: %s (expected 1:5-1:17)" (e2e-describe (list pair))))
      (unless (eq (flymake-diagnostic-type fd) 'eglot-warning)
        (e2e-fail 3 "Flymake type %s, expected eglot-warning" (flymake-diagnostic-type fd)))
      (unless (equal (buffer-substring (flymake-diagnostic-beg fd) (flymake-diagnostic-end fd)) "wishful.text")
        (e2e-fail 3 "Flymake marks %S, expected wishful.text"
                  (buffer-substring (flymake-diagnostic-beg fd) (flymake-diagnostic-end fd))))
      (e2e-ok 3 "%s; Flymake: %S" (e2e-describe (list pair)) (flymake-diagnostic-text fd))

      ;; 4: code actions over the diagnostic (eglot sends the Flymake diagnostics in the range)
      (e2e-step 4)
      (let* ((actions (condition-case err
                          (eglot-code-actions (flymake-diagnostic-beg fd) (flymake-diagnostic-end fd))
                        (error (e2e-fail 4 "textDocument/codeAction failed: %S" err))))
             (action (cl-find "Generate `extract_emails` with wishful" actions
                              :key (lambda (a) (plist-get a :title)) :test #'equal))
             command result)
        (dolist (a actions)
          (e2e-log "     code action: %S kind=%s command=%s" (plist-get a :title) (plist-get a :kind)
                   (plist-get (plist-get a :command) :command)))
        (unless action (e2e-fail 4 "no \"Generate `extract_emails` with wishful\" action in %S" actions))
        (unless (equal (plist-get action :kind) "quickfix")
          (e2e-fail 4 "kind %s, expected quickfix" (plist-get action :kind)))
        (e2e-ok 4 "%S" (plist-get action :title))

        ;; 5: the command (eglot 1.9 has no codeAction/resolve: resolve by hand if needed)
        (e2e-step 5)
        (let ((resolved nil))
          (unless (plist-get action :command)
            (setq action (condition-case err
                             (jsonrpc-request e2e-server :codeAction/resolve action)
                           (error (e2e-fail 5 "codeAction/resolve failed: %S" err)))
                  resolved t))
          (setq command (plist-get action :command))
          (unless (equal (plist-get command :command) "wishful.generate")
            (e2e-fail 5 "expected the wishful.generate command, got %S" action))
          (let ((arg (aref (plist-get command :arguments) 0)))
            (unless (and (equal (plist-get arg :module) "wishful.text")
                         (seq-contains-p (plist-get arg :names) "extract_emails")
                         (equal (plist-get arg :uri) (eglot--path-to-uri file)))
              (e2e-fail 5 "unexpected arguments %S" (plist-get command :arguments))))
          (e2e-ok 5 "%s %S%s" (plist-get command :command) (plist-get command :arguments)
                  (if resolved " (after codeAction/resolve)" "")))

        ;; 6: run it as eglot runs a chosen action's command (eglot-execute-command)
        (e2e-step 6)
        (setq result (condition-case err
                         (let ((jsonrpc-default-request-timeout e2e-generate-secs))
                           (eglot-execute-command e2e-server (intern (plist-get command :command))
                                                  (plist-get command :arguments)))
                       (error (e2e-fail 6 "workspace/executeCommand failed: %S" err))))
        (unless (equal (plist-get result :status) "ok") (e2e-fail 6 "result %S" result))
        (e2e-ok 6 "%s" (plist-get result :summary))

        ;; 7: the module on disk
        (e2e-step 7)
        (let ((code (e2e-file-text generated-path)))
          (unless code (e2e-fail 7 "%s does not exist" generated-path))
          (unless (string-match-p "^def extract_emails(" code)
            (e2e-fail 7 "%s does not define extract_emails:\n%s" generated-path code))
          (unless (equal (file-truename (plist-get result :path)) generated-path)
            (e2e-fail 7 "the command reports %s, expected %s" (plist-get result :path) generated-path))
          (e2e-ok 7 "%s (%d bytes)" generated-path (length code)))))

    ;; 8: re-published diagnostics without wishful.missing; the wishful/generated notification
    (e2e-step 8)
    (unless (e2e-wait e2e-wait-secs (lambda () (null (e2e-lsp-diags "wishful.missing"))))
      (e2e-fail 8 "wishful.missing still there after %ds: %s" e2e-wait-secs (e2e-describe (e2e-lsp-diags))))
    (unless (e2e-wait e2e-wait-secs (lambda () e2e-generated))
      (e2e-fail 8 "no wishful/generated notification"))
    (unless (equal (plist-get e2e-generated :module) "wishful.text")
      (e2e-fail 8 "wishful/generated for %S" e2e-generated))
    (e2e-ok 8 "diagnostics now: %s; wishful/generated %s" (e2e-describe (e2e-lsp-diags))
            (plist-get e2e-generated :module))

    ;; 9: hover on the use of extract_emails (line 3; "print(" is 6 characters)
    (e2e-step 9)
    (e2e-goto 3 8)
    (let* ((hover (condition-case err
                      (jsonrpc-request e2e-server :textDocument/hover (eglot--TextDocumentPositionParams))
                    (error (e2e-fail 9 "textDocument/hover failed: %S" err))))
           (contents (plist-get hover :contents))
           (text (cond ((stringp contents) contents)
                       ((plist-get contents :value))
                       (t (format "%S" contents)))))
      (unless hover (e2e-fail 9 "no hover"))
      ;; eglot renders it the way it would show it in the echo area / eldoc
      (e2e-log "     eglot renders: %S" (eglot--hover-info contents))
      (unless (string-search "def extract_emails(text: str) -> list[str]" text)
        (e2e-fail 9 "hover lacks the signature: %S" text))
      (unless (string-search "model offline" text) (e2e-fail 9 "hover lacks the provenance: %S" text))
      (e2e-ok 9 "%s: %S" (plist-get contents :kind) (substring text 0 (min 200 (length text)))))

    ;; 10: definition, through xref as M-. does
    (e2e-step 10)
    (e2e-goto 3 8)
    (let* ((items (condition-case err
                      (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot))
                    (error (e2e-fail 10 "xref-backend-definitions failed: %S" err))))
           (marker (and items (xref-location-marker (xref-item-location (car items))))))
      (unless marker (e2e-fail 10 "no definition"))
      (with-current-buffer (marker-buffer marker)
        (goto-char marker)
        (let ((target (file-truename (buffer-file-name)))
              (line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
          (unless (equal target generated-path) (e2e-fail 10 "points at %s" target))
          (unless (string-match-p "^def extract_emails(" line)
            (e2e-fail 10 "line %d of %s is %S, not the def" (line-number-at-pos) target line))
          (e2e-ok 10 "%s:%d:%d %S" target (1- (line-number-at-pos)) (current-column) line))))

    ;; 11: shutdown + exit; the server process must end by itself with status 0.  (Not through
    ;; eglot-shutdown: eglot 1.9 deletes the process right after sending exit.)
    (e2e-step 11)
    (setq e2e-stopping t)
    (setf (eglot--shutdown-requested e2e-server) t)
    (condition-case err
        (jsonrpc-request e2e-server :shutdown nil :timeout 5)
      (error (e2e-fail 11 "shutdown failed: %S" err)))
    (jsonrpc-notify e2e-server :exit nil)
    (unless (e2e-wait 5 (lambda () (e2e-server-dead-p)))
      (e2e-fail 11 "the server still runs 5 s after shutdown/exit"))
    (unless (and (eq (process-status e2e-process) 'exit) (= (process-exit-status e2e-process) 0))
      (e2e-fail 11 "the server ended with %s %s" (process-status e2e-process) (process-exit-status e2e-process)))
    (e2e-ok 11 "exit code 0")))

(defun e2e-dump-stderr ()
  "Print the server's stderr (eglot keeps it in a buffer) to our stderr."
  (let ((buf (and e2e-process (process-get e2e-process 'jsonrpc-stderr))))
    (when (and buf (buffer-live-p buf))
      (let ((text (with-current-buffer buf (buffer-string))))
        (unless (string-empty-p (string-trim text))
          (message "E2E server stderr (%s):\n%s" (buffer-name buf) text))))))

(defun e2e-stop-server ()
  (when (and e2e-process (process-live-p e2e-process))
    (ignore-errors (eglot-shutdown e2e-server nil 3 t))))

(let ((code
       (condition-case err
           (progn (e2e-run) 0)
         (e2e-failure
          (let ((step (nth 1 err)))
            (e2e-log "FAIL step %d (%s): %s" step
                     (or (alist-get step e2e-steps) (if (= step e2e-server-exited) "server exited" "?"))
                     (nth 2 err))
            step))
         (error
          (e2e-log "FAIL step 1 (script error): %S" err)
          1))))
  (if (= code 0)
      (e2e-log "PASS")
    (e2e-dump-stderr))
  (e2e-stop-server)
  (kill-emacs code))

;;; emacs_e2e.el ends here
