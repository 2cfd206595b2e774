;;; emacs_config_check.el --- check a user configuration from docs/editors.md  -*- lexical-binding: t -*-
;;
;;   E2E_FILE=/path/to/project/app.py emacs --batch -l snippet.el -l tests/editors/emacs_config_check.el
;;
;; The configuration (loaded first) must start the wishful server for Python buffers by itself
;; (`eglot-ensure' from `python-mode-hook').  This script then does what a user does: opens the
;; file, waits for the wishful.missing warning, runs `eglot-code-actions' on it and picks
;; "Generate `extract_emails' with wishful", and waits for the module and for the warning to go.
;; E2E_EXPECT_SEVERITY (an LSP severity number) is the warning's expected severity.
;;
;; Batch mode has no command loop: `eglot-ensure' connects from `post-command-hook', so this
;; script runs that hook once after opening the file, as the command loop would.
;;
;; Exit status: 0 on success, 2 no server, 3 no diagnostic (or the wrong severity), 4 the action
;; was not offered, 5 the server reported a settings problem, 6 no module written, 8 the
;; warning stayed, 1 an error in this script.  Progress lines on stderr, prefixed "CHECK".

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)

(defconst check-title "Generate `extract_emails` with wishful")
(defvar check-t0 (float-time))
(defvar check-messages nil "window/showMessage texts from the server.")

(defun check-log (fmt &rest args)
  (message "CHECK %5.0fms %s" (* 1000 (- (float-time) check-t0)) (apply #'format fmt args)))

(define-error 'check-failure "check failed")
(defun check-fail (code fmt &rest args)
  (signal 'check-failure (list code (apply #'format fmt args))))

(defun check-wait (secs pred)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    (funcall pred)))

(defun check-missing ()
  "The wishful.missing diagnostics Flymake has for the current buffer: (flymake-diag . lsp-diag)."
  (unless flymake-mode (flymake-mode 1))
  (flymake-start)
  (cl-loop for d in (flymake-diagnostics)
           for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
           when (and lsp (equal (plist-get lsp :code) "wishful.missing"))
           collect (cons d lsp)))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/showMessage)) &key message &allow-other-keys)
  (push message check-messages))

(defun check-run ()
  (let* ((file (file-truename (or (getenv "E2E_FILE") (error "Set E2E_FILE"))))
         (generated (expand-file-name ".wishful/text.py" (file-name-directory file)))
         (severity (string-to-number (or (getenv "E2E_EXPECT_SEVERITY") "2")))
         server)
    (find-file file)
    (check-log "buffer %s, %s" file major-mode)
    (run-hooks 'post-command-hook)  ; what the command loop does after `find-file'
    (unless (check-wait 15 (lambda () (and (eglot-managed-p) (eglot-current-server))))
      (check-fail 2 "eglot does not manage the buffer"))
    (setq server (eglot-current-server))
    (check-log "server %s: %S" (jsonrpc-name server) (process-command (jsonrpc--process server)))

    (unless (check-wait 15 #'check-missing)
      (check-fail 3 "no wishful.missing diagnostic; Flymake has %S" (flymake-diagnostics)))
    (let* ((pair (car (check-missing))) (fd (car pair)) (lsp (cdr pair)))
      (check-log "diagnostic %S severity %s" (flymake-diagnostic-text fd) (plist-get lsp :severity))
      (unless (eql (plist-get lsp :severity) severity)
        (check-fail 3 "severity %s, expected %s" (plist-get lsp :severity) severity))
      (when-let ((problems (cl-remove-if-not (lambda (m) (string-match-p "settings" m)) check-messages)))
        (check-fail 5 "the server reported: %S" problems))

      ;; M-x eglot-code-actions from the keyboard (a mouse event would pop up a menu),
      ;; answering its prompt
      (let ((offered nil)
            (last-nonmenu-event ?\r))
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt collection &rest _)
                     (setq offered (mapcar #'car collection))
                     (check-log "picking %S from %S" check-title offered)
                     check-title)))
          (goto-char (flymake-diagnostic-beg fd))
          (eglot-code-actions (flymake-diagnostic-beg fd) (flymake-diagnostic-end fd) nil t))
        (unless (member check-title offered) (check-fail 4 "offered %S" offered))))

    (unless (check-wait 40 (lambda () (file-exists-p generated)))
      (check-fail 6 "%s was not written" generated))
    (check-log "written %s" generated)
    (unless (check-wait 15 (lambda () (null (check-missing))))
      (check-fail 8 "the warning stayed"))
    (check-log "warning gone")))

(let ((code (condition-case err
                (progn (check-run) 0)
              (check-failure (check-log "FAIL (%d): %s" (nth 1 err) (nth 2 err)) (nth 1 err))
              (error (check-log "FAIL (1): %S" err) 1))))
  (when (= code 0) (check-log "PASS"))
  (dolist (server (hash-table-values eglot--servers-by-project))
    (dolist (s server) (ignore-errors (eglot-shutdown s nil 3))))
  (kill-emacs code))

;;; emacs_config_check.el ends here
