-- Checks a user configuration from docs/editors.md in headless Neovim (0.7.2 and later):
--
--   nvim --headless -i NONE -n -u snippet.lua /path/to/project/app.py \
--     -c 'luafile tests/editors/nvim_config_check.lua'
--
-- The configuration must start the wishful server for the Python buffer by itself. This script
-- then does what a user does: waits for the wishful.missing warning, runs
-- vim.lsp.buf.code_action() on it and picks "Generate `extract_emails` with wishful" in the
-- vim.ui.select menu, and waits for the module and for the warning to go away.
--
-- E2E_EXPECT_SEVERITY (an LSP severity number, default 2) is the warning's expected severity.
--
-- Exit status: 0 on success, 2 no wishful client on the buffer, 3 no diagnostic (or the wrong
-- severity), 4 the action was not offered, 5 the server reported a settings problem, 6 no
-- module written, 8 the warning stayed, 1 an error in this script.
-- Progress lines go to stderr, prefixed "CHECK".

local WAIT_MS = 15000
local GENERATE_MS = 40000
local TITLE = "Generate `extract_emails` with wishful"

local t0 = vim.loop.hrtime()
local function log(fmt, ...)
  io.stderr:write(string.format("CHECK %5.0fms " .. fmt, (vim.loop.hrtime() - t0) / 1e6, ...) .. "\n")
end

-- the server's window/showMessage notifications (settings problems come this way)
local messages = {}
local show_message = vim.lsp.handlers["window/showMessage"]
vim.lsp.handlers["window/showMessage"] = function(err, result, ctx, config)
  table.insert(messages, result.message)
  return show_message(err, result, ctx, config)
end

local function clients()
  return (vim.lsp.get_clients or vim.lsp.get_active_clients)()
end

local function quit(code)
  for _, c in ipairs(clients()) do c.stop() end
  vim.wait(3000, function() return #clients() == 0 end, 20)
  io.stderr:flush()
  if code == 0 then vim.cmd("qall!") else vim.cmd("cquit " .. code) end
end

local Failure = {}
local function fail(code, fmt, ...)
  error(setmetatable({ code = code, msg = string.format(fmt, ...) }, Failure), 0)
end

local function missing(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "wishful" and d.code == "wishful.missing" then table.insert(out, d) end
  end
  return out
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local file = vim.api.nvim_buf_get_name(bufnr)
  local generated = vim.fn.fnamemodify(file, ":p:h") .. "/.wishful/text.py"
  log("buffer %s, filetype %q", file, vim.bo[bufnr].filetype)

  local client
  vim.wait(WAIT_MS, function()
    for _, c in ipairs(clients()) do
      if c.name == "wishful" and vim.lsp.buf_is_attached(bufnr, c.id) and c.initialized then
        client = c
        return true
      end
    end
    return false
  end, 20)
  if not client then fail(2, "no initialized client named wishful on the buffer") end
  log("client %d: %s, root %s", client.id, table.concat(client.config.cmd, " "), tostring(client.config.root_dir))

  if not vim.wait(WAIT_MS, function() return #missing(bufnr) > 0 end, 20) then
    fail(3, "no wishful.missing diagnostic; diagnostics: %s", vim.inspect(vim.diagnostic.get(bufnr)))
  end
  local d = missing(bufnr)[1]
  log("diagnostic %d:%d severity %d: %s", d.lnum, d.col, d.severity, d.message)
  local severity = tonumber(os.getenv("E2E_EXPECT_SEVERITY") or "2")
  if d.severity ~= severity then fail(3, "severity %d, expected %d", d.severity, severity) end
  for _, m in ipairs(messages) do
    if m:find("settings", 1, true) then fail(5, "the server reported: %s", m) end
  end

  -- the menu: 0.7 passes { client_id, action } pairs, 0.10+ { action = ..., ctx = ... }
  local offered = {}
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      local action = item.action or item[2]
      table.insert(offered, action.title)
      if action.title == TITLE then
        log("picking %q", action.title)
        return on_choice(item)
      end
    end
    return on_choice(nil)
  end
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  vim.lsp.buf.code_action()
  if not vim.wait(WAIT_MS, function() return #offered > 0 end, 20) then fail(4, "no code action menu") end
  if not vim.tbl_contains(offered, TITLE) then fail(4, "offered %s", vim.inspect(offered)) end

  if not vim.wait(GENERATE_MS, function() return vim.loop.fs_stat(generated) ~= nil end, 20) then
    fail(6, "%s was not written", generated)
  end
  log("written %s", generated)
  if not vim.wait(WAIT_MS, function() return #missing(bufnr) == 0 end, 20) then
    fail(8, "the warning stayed: %s", vim.inspect(missing(bufnr)))
  end
  log("warning gone")
end

local ok, err = xpcall(run, function(e)
  if getmetatable(e) == Failure then return e end
  return { code = 1, msg = debug.traceback(tostring(e), 2) }
end)
if ok then
  log("PASS")
  quit(0)
else
  log("FAIL (%d): %s", err.code, err.msg)
  quit(err.code)
end
