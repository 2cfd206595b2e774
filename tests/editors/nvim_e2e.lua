-- End-to-end check of the wishful language server from headless Neovim (0.7.2 and later).
--
--   E2E_PYTHON=/path/to/venv/bin/python E2E_FILE=/path/to/project/app.py \
--     nvim --headless -u NONE -i NONE -n -c 'luafile tests/editors/nvim_e2e.lua'
--
-- E2E_FILE is a project file holding
--     # desired: pull every e-mail address out of free text, lower-cased
--     from wishful.text import extract_emails
--
--     print(extract_emails("Mail a@b.co"))
-- next to a pyproject.toml. The server must generate with the built-in offline model, so the
-- editor's environment must not set WISHFUL_* variables.
--
-- E2E_RESOLVE_COMMAND=1 advertises codeAction resolveSupport for "command" (as VS Code and
-- Neovim 0.10+ do): the quick fix must then come without its command, which codeAction/resolve
-- adds. Otherwise (as Neovim 0.7 does) the quick fix must carry the command.
--
-- Only the APIs of Neovim 0.7 are used: vim.lsp.start_client, buf_attach_client,
-- buf_request_sync, vim.wait, vim.diagnostic.
--
-- Progress lines go to stderr, prefixed "E2E". Exit status: 0 when every step passed;
-- otherwise the number of the step that failed (see STEPS), 1 for an error in this script,
-- 20 when the server process exited before the end.

local STEPS = {
  [2] = "start the server",
  [3] = "wishful.missing diagnostic",
  [4] = "code action offered",
  [5] = "code action carries (or resolves to) the generate command",
  [6] = "workspace/executeCommand generates",
  [7] = ".wishful/text.py written",
  [8] = "diagnostic gone after generation",
  [9] = "hover shows the signature",
  [10] = "definition goes to .wishful/text.py",
  [11] = "server shuts down cleanly",
}
local SERVER_EXITED = 20
local WAIT_MS = 15000 -- waits for server pushes (diagnostics, initialization)
local REQUEST_MS = 10000 -- plain requests
local GENERATE_MS = 40000 -- executeCommand (offline model and validation)

local t0 = vim.loop.hrtime()
local function elapsed() return string.format("%5.0fms", (vim.loop.hrtime() - t0) / 1e6) end

local function log(fmt, ...)
  io.stderr:write(string.format("E2E %s " .. fmt, elapsed(), ...) .. "\n")
end

-- the server's stderr goes to Neovim's LSP log; remember where this run's part starts
local lsp_log = vim.lsp.get_log_path()
local lsp_log_start = (vim.loop.fs_stat(lsp_log) or { size = 0 }).size

local function dump_server_stderr()
  local f = io.open(lsp_log, "r")
  if not f then return end
  f:seek("set", lsp_log_start)
  local text = f:read("*a") or ""
  f:close()
  local lines = {}
  for line in text:gmatch("[^\n]+") do
    if line:find('"stderr"', 1, true) then table.insert(lines, line) end
  end
  if #lines > 0 then
    io.stderr:write("E2E server stderr (from " .. lsp_log .. "):\n" .. table.concat(lines, "\n") .. "\n")
  end
end

local client_id = nil
local server_exit = nil -- { code, signal } once the server process is gone
local stopping = false

local function stop_server()
  if client_id and not server_exit then
    local client = vim.lsp.get_client_by_id(client_id)
    if client then client.stop() end
    if not vim.wait(3000, function() return server_exit ~= nil end, 20) and client then
      client.stop(true) -- second stop: SIGTERM
      vim.wait(2000, function() return server_exit ~= nil end, 20)
    end
  end
end

local function quit(code)
  stopping = true
  stop_server()
  io.stderr:flush()
  if code == 0 then vim.cmd("qall!") else vim.cmd("cquit " .. code) end
end

-- raised by fail() so that a failure unwinds the steps; quit() happens once, outside pcall
local Failure = {}

local function fail(step, fmt, ...)
  local msg = string.format(fmt, ...)
  if server_exit and step ~= 11 then
    msg = msg .. string.format(" (the server exited with code %s, signal %s)", server_exit[1], server_exit[2])
    step = SERVER_EXITED
  end
  error(setmetatable({ step = step, msg = msg }, Failure), 0)
end

local function step(n, what)
  log("step %d: %s", n, what or STEPS[n])
end

local function ok(n, fmt, ...)
  log("ok   %d: " .. fmt, n, ...)
end

-- wait for pred(); stops early (returning false) when the server exits
local function wait_for(ms, pred)
  vim.wait(ms, function() return server_exit ~= nil or pred() end, 20)
  return pred()
end

local function readfile(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

local function realpath(path)
  return vim.loop.fs_realpath(path) or vim.fn.fnamemodify(path, ":p")
end

-- one request to our server; the result, or fail(step) with the error
local function request(n, bufnr, method, params, ms)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, ms or REQUEST_MS)
  if not responses then fail(n, "%s: no answer (%s)", method, tostring(err)) end
  local response = responses[client_id]
  if not response then fail(n, "%s: no answer from the wishful client: %s", method, vim.inspect(responses)) end
  if response.error then fail(n, "%s failed: %s", method, vim.inspect(response.error)) end
  return response.result
end

-- an LSP Diagnostic from a vim.diagnostic entry (what vim.lsp.buf.code_action sends)
local function to_lsp(d)
  local lsp = (d.user_data and d.user_data.lsp) or {}
  return vim.tbl_extend("keep", {
    range = { start = { line = d.lnum, character = d.col },
              ["end"] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity, message = d.message, source = d.source, code = d.code,
  }, lsp)
end

local function wishful_diags(bufnr, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "wishful" and (code == nil or d.code == code) then table.insert(out, d) end
  end
  return out
end

local function describe(diags)
  local parts = {}
  for _, d in ipairs(diags) do
    table.insert(parts, string.format("[%s %s sev=%s %d:%d-%d:%d %q]", tostring(d.source), tostring(d.code),
      tostring(d.severity), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1, d.message))
  end
  return #parts > 0 and table.concat(parts, " ") or "(none)"
end

local function run()
  local py = os.getenv("E2E_PYTHON")
  local file = os.getenv("E2E_FILE")
  if not py or py == "" or not file or file == "" then
    error("set E2E_PYTHON (the python that has wishful-lsp) and E2E_FILE (the project's app.py)")
  end
  file = realpath(file)
  local root = vim.fn.fnamemodify(file, ":h")
  local generated_path = root .. "/.wishful/text.py"
  if vim.loop.fs_stat(generated_path) then error(generated_path .. " exists before the test") end

  -- 1-2: open the file, start the server, attach (didOpen goes out once initialized)
  step(2)
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"

  local generated = nil -- params of the wishful/generated notification
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  -- resolveSupport as Neovim 0.7 sends it ("edit" only: the server puts the command in the
  -- action), or with "command" as VS Code and Neovim 0.10+ send it (the command comes from
  -- codeAction/resolve)
  local resolve_command = os.getenv("E2E_RESOLVE_COMMAND") == "1"
  capabilities.textDocument.codeAction.resolveSupport = {
    properties = resolve_command and { "edit", "command" } or { "edit" },
  }
  client_id = vim.lsp.start_client({
    name = "wishful",
    cmd = { py, "-m", "wishful_lsp" },
    root_dir = root,
    capabilities = capabilities,
    handlers = {
      ["wishful/generated"] = function(_, result) generated = result end,
      ["window/showMessage"] = function(_, result) log("server says: %s", result.message) end,
      ["window/logMessage"] = function(_, result) log("server log: %s", result.message) end,
    },
    on_exit = function(code, signal)
      server_exit = { code, signal }
      if not stopping then log("server exited: code %s signal %s", code, signal) end
    end,
  })
  if not client_id then fail(2, "vim.lsp.start_client returned nil (%s)", py) end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  if not wait_for(WAIT_MS, function() return client.initialized end) then
    fail(2, "the server did not initialize (waited up to %d ms)", WAIT_MS)
  end
  ok(2, "initialized (%s)", client.offset_encoding)

  -- 3: the diagnostic on `wishful.text` (line 1, columns 5-17), as the editor stores it
  step(3)
  if not wait_for(WAIT_MS, function() return #wishful_diags(bufnr, "wishful.missing") > 0 end) then
    fail(3, "no wishful.missing diagnostic within %d ms; diagnostics: %s", WAIT_MS,
      describe(vim.diagnostic.get(bufnr)))
  end
  local diag = wishful_diags(bufnr, "wishful.missing")[1]
  if diag.lnum ~= 1 or diag.col ~= 5 or diag.end_lnum ~= 1 or diag.end_col ~= 17 then
    fail(3, "wrong range: %s (expected line 1, columns 5-17)", describe({ diag }))
  end
  if diag.severity ~= vim.diagnostic.severity.WARN then fail(3, "not a warning: %s", describe({ diag })) end
  if not diag.message:find("wishful.text", 1, true) then fail(3, "message: %q", diag.message) end
  ok(3, "%s", describe({ diag }))

  -- 4: code actions for the diagnostic's range, with the diagnostic in the context
  step(4)
  local lsp_diag = to_lsp(diag)
  local actions = request(4, bufnr, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag } },
  }) or {}
  local action = nil
  for _, a in ipairs(actions) do
    log("     code action: %q kind=%s command=%s", a.title, tostring(a.kind),
      type(a.command) == "table" and a.command.command or tostring(a.command))
    if a.title == "Generate `extract_emails` with wishful" then action = a end
  end
  if not action then fail(4, "no \"Generate `extract_emails` with wishful\" action in %s", vim.inspect(actions)) end
  if action.kind ~= "quickfix" then fail(4, "kind %s, expected quickfix", tostring(action.kind)) end
  ok(4, "%q", action.title)

  -- 5: the command, resolved when the server left it out
  step(5)
  local resolved = false
  if resolve_command and action.command ~= nil then
    fail(5, "the client resolves commands, but the action carries one: %s", vim.inspect(action))
  elseif not resolve_command and action.command == nil then
    fail(5, "the client cannot resolve commands, but the action has none: %s", vim.inspect(action))
  end
  if action.command == nil then
    action = request(5, bufnr, "codeAction/resolve", action)
    resolved = true
  end
  local command = action and action.command
  if type(command) ~= "table" or command.command ~= "wishful.generate" then
    fail(5, "expected the wishful.generate command, got %s", vim.inspect(action))
  end
  local arg = (command.arguments or {})[1] or {}
  if arg.module ~= "wishful.text" or not vim.tbl_contains(arg.names or {}, "extract_emails")
      or arg.uri ~= vim.uri_from_bufnr(bufnr) then
    fail(5, "unexpected arguments: %s", vim.inspect(command.arguments))
  end
  ok(5, "%s %s%s", command.command, vim.inspect(command.arguments, { newline = "", indent = "" }),
    resolved and " (after codeAction/resolve)" or "")

  -- 6: run it
  step(6)
  local result = request(6, bufnr, "workspace/executeCommand",
    { command = command.command, arguments = command.arguments }, GENERATE_MS)
  if type(result) ~= "table" or result.status ~= "ok" then fail(6, "result: %s", vim.inspect(result)) end
  ok(6, "%s", tostring(result.summary))

  -- 7: the module is on disk
  step(7)
  local code = readfile(generated_path)
  if not code then fail(7, "%s does not exist", generated_path) end
  if not code:find("\ndef extract_emails%(") and not code:find("^def extract_emails%(") then
    fail(7, "%s does not define extract_emails:\n%s", generated_path, code)
  end
  if result.path and realpath(result.path) ~= realpath(generated_path) then
    fail(7, "the command reports %s, expected %s", result.path, generated_path)
  end
  ok(7, "%s (%d bytes)", generated_path, #code)

  -- 8: the server re-publishes: no wishful.missing any more; wishful/generated was sent
  step(8)
  if not wait_for(WAIT_MS, function() return #wishful_diags(bufnr, "wishful.missing") == 0 end) then
    fail(8, "wishful.missing still there after %d ms: %s", WAIT_MS, describe(vim.diagnostic.get(bufnr)))
  end
  if not wait_for(WAIT_MS, function() return generated ~= nil end) then
    fail(8, "no wishful/generated notification")
  end
  if generated.module ~= "wishful.text" then fail(8, "wishful/generated for %s", vim.inspect(generated)) end
  ok(8, "diagnostics now: %s; wishful/generated %s", describe(vim.diagnostic.get(bufnr)), generated.module)

  -- 9: hover on the use of extract_emails (line 3, 0-based; "print(" is 6 characters)
  step(9)
  vim.api.nvim_win_set_cursor(0, { 4, 8 })
  local hover = request(9, bufnr, "textDocument/hover", vim.lsp.util.make_position_params(0, client.offset_encoding))
  if type(hover) ~= "table" then fail(9, "no hover") end
  local contents = hover.contents
  local text = type(contents) == "string" and contents or (type(contents) == "table" and contents.value)
  if type(text) ~= "string" then text = vim.inspect(contents) end
  if not text:find("def extract_emails(text: str) -> list[str]", 1, true) then
    fail(9, "hover lacks the signature:\n%s", text)
  end
  if not text:find("model offline", 1, true) then fail(9, "hover lacks the provenance:\n%s", text) end
  ok(9, "%s", (text:sub(1, 200):gsub("\n", " | ")))

  -- 10: definition: into .wishful/text.py, on the def line
  step(10)
  local def = request(10, bufnr, "textDocument/definition", vim.lsp.util.make_position_params(0, client.offset_encoding))
  if type(def) == "table" and def[1] then def = def[1] end
  if type(def) ~= "table" then fail(10, "no definition: %s", vim.inspect(def)) end
  local target_uri = def.targetUri or def.uri
  local range = def.targetSelectionRange or def.range
  if not target_uri or not range then fail(10, "not a location: %s", vim.inspect(def)) end
  local target = vim.uri_to_fname(target_uri)
  if realpath(target) ~= realpath(generated_path) then fail(10, "points at %s", target) end
  local lines = vim.split(code, "\n", { plain = true })
  local line = lines[range.start.line + 1] or ""
  if not line:find("^def extract_emails%(") then
    fail(10, "line %d of %s is %q, not the def", range.start.line, target, line)
  end
  ok(10, "%s:%d:%d %q", target, range.start.line, range.start.character, line)

  -- 11: shutdown/exit: the server process ends by itself, with status 0
  step(11)
  stopping = true
  client.stop()
  if not vim.wait(5000, function() return server_exit ~= nil end, 20) then
    fail(11, "the server still runs 5 s after shutdown/exit")
  end
  if server_exit[1] ~= 0 then
    fail(11, "the server exited with code %s, signal %s", server_exit[1], server_exit[2])
  end
  ok(11, "exit code 0")
end

local good, err = xpcall(run, function(e)
  if getmetatable(e) == Failure then return e end
  return { step = 1, msg = debug.traceback(tostring(e), 2) }
end)
if good then
  log("PASS")
  quit(0)
else
  log("FAIL step %d (%s): %s", err.step, STEPS[err.step] or (err.step == SERVER_EXITED and "server exited"
    or "script error"), err.msg)
  dump_server_stderr()
  quit(err.step)
end
