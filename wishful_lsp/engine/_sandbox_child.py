"""The harness that runs inside a sandbox child: limits, kernel layers, policy hooks, candidate.

Not imported by the engine. :mod:`.sandbox` compiles this file once, marshals the code object and
sends it, then the payload, on the child's stdin; the child's ``-c`` bootstrap ``exec``\\ s it in a
fresh namespace that is *not* a module in ``sys.modules``. Standard library only, and few imports:
every import is start-up time paid by every candidate.

Order of events in the child (``_main``):

1. read the payload (``marshal``) and close stdin;
2. resource limits (CPU, address space, file size 0, open files, core 0, processes 0);
3. kernel layers when asked and available: a user + network namespace (``unshare`` via
   ``_ctypes``),
   ``PR_SET_NO_NEW_PRIVS`` and Landlock (no writes, creates, removes, truncates or ``execute``
   anywhere; reads only below the Python standard library, the system library directories,
   the time-zone database and the temporary working directory; no TCP bind/connect; no signals
   or abstract Unix sockets outside the sandbox). ``_ctypes`` is dropped from ``sys.modules``
   afterwards;
4. the guarded ``__import__`` and the PEP 578 audit hook (see ``_make_hook``);
5. the candidate: compile with the pseudo filename ``<wishful-candidate>``, register, ``exec``;
   then the requested names, the examples, the trusted tests and the docstring examples;
6. one verdict message, tagged with the nonce, on the verdict pipe; then ``_exit``.

Forgery: the nonce and the verdict descriptor live only in ``_main``'s frame and closures. The
harness's namespace is not reachable from a module (``sys.modules['__main__']`` is replaced by
an empty module), every harness function generated code can reach (the import guard, the stubs,
the CPU-limit handler) runs with empty globals, and the harness binds every built-in it uses
before the candidate runs, so patching ``builtins`` does not change the harness. Frames (the
way to ``_main``'s locals) are denied to generated code by the audit hook, including frames
handed out by ``inspect``/``traceback`` and by signal handlers (``signal.signal`` is stubbed).
Progress messages (``S``) carry the same tag so the parent can say where a time-out or a crash
happened. The candidate's ``__builtins__`` is a copy, so ``__builtins__['len'] = ...`` only
changes generated code.
"""

# The built-ins are re-bound to themselves on purpose (see below).
# ruff: noqa: PLW0127
import marshal
import posix
import sys

# Bind the built-ins the harness uses: generated code can reach the ``builtins`` module through
# re-exports (``dataclasses.builtins``) and replace them; these globals are looked up first.
BaseException = BaseException
Exception = Exception
MemoryError = MemoryError
RecursionError = RecursionError
SyntaxError = SyntaxError
ImportError = ImportError
PermissionError = PermissionError
OSError = OSError
TypeError = TypeError
AttributeError = AttributeError
type = type
isinstance = isinstance
len = len
repr = repr
str = str
int = int
float = float
bool = bool
list = list
dict = dict
tuple = tuple
set = set
frozenset = frozenset
getattr = getattr
hasattr = hasattr
callable = callable
compile = compile
eval = eval
exec = exec
vars = vars
enumerate = enumerate
sorted = sorted
min = min
max = max
ord = ord
chr = chr
any = any
range = range
zip = zip

_getframe = sys._getframe
_modules = sys.modules
_StringIO = _modules["io"].StringIO
_audit = sys.audit
_write = posix.write
_exit = posix._exit

CANDIDATE = "<wishful-candidate>"
EXAMPLE = "<wishful-example>"
TEST = "<wishful-test>"
DOCTEST = "<wishful-doctest>"
#: Code from these "files" is generated (or evaluated from strings) and is held to the policy.
UNTRUSTED = frozenset({CANDIDATE, EXAMPLE, TEST, DOCTEST, "<string>"})
#: The import machinery: skipped when looking for the code that caused an event.
IMPORTLIB = frozenset({"<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>",
                       "<frozen zipimport>"})
#: Stdlib modules whose functions hand frames to their caller (``inspect.currentframe``,
#: ``traceback.walk_stack``): their frame access counts as the caller's.
FRAME_DEPUTIES = ("/inspect.py", "/traceback.py", "/logging/__init__.py", "/pdb.py", "/bdb.py",
                  "/trace.py", "/cgitb.py", "/code.py", "/pydoc.py")
#: Private stdlib modules that C functions import lazily on behalf of their caller
#: (``datetime.strptime`` imports ``_strptime``); harmless and allowed from generated code.
LAZY_IMPORTS = frozenset({"_strptime"})
HARNESS_FILE = _getframe(0).f_code.co_filename

MAX_FAILURES = 20
MAX_TEXT = 300


# --------------------------------------------------------------------------- small helpers

def _one_line(text, limit=MAX_TEXT):
    """``text`` on one line (line breaks escaped, other whitespace kept), shortened."""
    text = str(text).strip().replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _raw_repr(value):
    """``repr(value)`` as is (for comparisons), or a placeholder when it fails."""
    try:
        text = repr(value)
    except BaseException as e:  # generated __repr__ may do anything
        return f"<unprintable {type(value).__name__}: {type(e).__name__}>"
    return text if isinstance(text, str) else "<repr did not return a string>"


def _safe_repr(value, limit=200):
    """``repr(value)`` on one line, shortened (for messages)."""
    return _one_line(_raw_repr(value), limit)


def _exc_text(exc):
    try:
        msg = str(exc)
    except BaseException:
        msg = "<unprintable message>"
    name = type(exc).__name__
    return _one_line(f"{name}: {msg}" if msg else name)


def _tb_lines(tb, filename):
    """Line numbers of the traceback frames whose code is ``filename`` (outermost first)."""
    lines = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lines.append(tb.tb_lineno)
        tb = tb.tb_next
    return lines


def _candidate_line(exc):
    if isinstance(exc, SyntaxError) and exc.filename == CANDIDATE:
        return exc.lineno
    lines = _tb_lines(exc.__traceback__, CANDIDATE)
    return lines[-1] if lines else None


def _json(obj, out):
    """A minimal JSON encoder (``json`` imports ``re``: 10+ ms of start-up)."""
    t = type(obj)
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif t is int:
        out.append(str(obj))
    elif t is float:
        out.append(repr(obj) if _isfinite(obj) else "null")
    elif t is str:
        out.append(_json_str(obj))
    elif t is list or t is tuple:
        out.append("[")
        for i, item in enumerate(obj):
            if i:
                out.append(",")
            _json(item, out)
        out.append("]")
    elif t is dict:
        out.append("{")
        for i, (key, value) in enumerate(obj.items()):
            if i:
                out.append(",")
            out.append(_json_str(str(key)))
            out.append(":")
            _json(value, out)
        out.append("}")
    else:
        out.append(_json_str(str(obj)))


def _json_str(text):
    parts = ['"']
    for ch in text:
        o = ord(ch)
        if ch == '"':
            parts.append('\\"')
        elif ch == "\\":
            parts.append("\\\\")
        elif 0x20 <= o < 0x7F:
            parts.append(ch)
        elif o < 0x10000:
            parts.append(f"\\u{o:04x}")
        else:
            o -= 0x10000
            parts.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
    parts.append('"')
    return "".join(parts)


def _failure(kind, message, *, line=None, call=None, expected=None, got=None, hint=""):
    return {"kind": kind, "message": _one_line(message, 500), "line": line, "call": call,
            "expected": expected, "got": got, "hint": hint}


# --------------------------------------------------------------------------- limits and layers

def _apply_rlimits(limits):
    """RLIMIT_* from the payload; returns True when CPU and address-space limits are set."""
    try:
        import resource
    except ImportError:
        return False
    cpu = limits["cpu"]
    wanted = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, limits["as"], limits["as"]),
        (resource.RLIMIT_FSIZE, 0, 0),
        (resource.RLIMIT_NOFILE, limits["nofile"], limits["nofile"]),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_NPROC, 0, 0),
    ]
    ok = True
    for which, soft, hard in wanted:
        try:
            cur_hard = resource.getrlimit(which)[1]
            if cur_hard != resource.RLIM_INFINITY:
                hard = min(hard, cur_hard)
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
        except (OSError, ValueError):
            if which in (resource.RLIMIT_CPU, resource.RLIMIT_AS):
                ok = False
    _modules.pop("resource", None)
    return ok


# Landlock constants (include/uapi/linux/landlock.h). Syscall numbers are the same on every
# architecture that has them (generic table).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_LL_FS_EXECUTE = 1 << 0
_LL_FS_WRITE_FILE = 1 << 1
_LL_FS_READ_FILE = 1 << 2
_LL_FS_READ_DIR = 1 << 3
_LL_FS_ABI1 = (1 << 13) - 1          # execute .. make_sym
_LL_FS_REFER = 1 << 13               # ABI 2
_LL_FS_TRUNCATE = 1 << 14            # ABI 3
_LL_FS_IOCTL_DEV = 1 << 15           # ABI 5
_LL_NET_BIND_TCP = 1 << 0            # ABI 4
_LL_NET_CONNECT_TCP = 1 << 1
_LL_SCOPE_ABSTRACT_UNIX = 1 << 0     # ABI 6
_LL_SCOPE_SIGNAL = 1 << 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _ffi():
    """``(call, get_errno)`` over the ``_ctypes`` C module: ``call(name, *args, ret="l")``
    calls a libc function. Importing only ``_ctypes`` costs ~0.5 ms, the ``ctypes`` package
    ~3.5 ms. The helper classes define no Python functions, so nothing here leads back to the
    harness's namespace."""
    import _ctypes

    class Long(_ctypes._SimpleCData):
        _type_ = "l"

    class Int(_ctypes._SimpleCData):
        _type_ = "i"

    flags = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
    returning = {
        "l": type("LongFunction", (_ctypes.CFuncPtr,), {"_flags_": flags, "_restype_": Long}),
        "i": type("IntFunction", (_ctypes.CFuncPtr,), {"_flags_": flags, "_restype_": Int}),
    }
    library = type("Library", (), {})()
    library._handle = _ctypes.dlopen(None, _ctypes.RTLD_LOCAL | 2)  # RTLD_NOW
    functions = {}

    def call(name, *args, ret="i"):
        key = (name, ret)
        function = functions.get(key)
        if function is None:
            function = functions[key] = returning[ret]((name, library))
        return function(*[Long(a) if type(a) is int else a for a in args])

    return call, _ctypes.get_errno


def _u64(value):
    return value.to_bytes(8, sys.byteorder)


def _kernel_layers(wanted, read_roots):
    """Try the requested kernel layers; returns (active, unavailable, notes)."""
    active, unavailable, notes = [], [], []
    kernel = [name for name in ("netns", "landlock") if name in wanted]
    if not kernel:
        return active, unavailable, notes
    before = set(_modules)
    try:
        call, get_errno = _ffi()
    except (ImportError, AttributeError, OSError) as e:
        return active, kernel, [f"ctypes unavailable: {type(e).__name__}: {e}"]
    try:
        if "netns" in wanted:
            # New user namespace (drops host capabilities) and network namespace (only a
            # loopback device, down). The child is still single-threaded here, as required.
            if call("unshare", _CLONE_NEWUSER | _CLONE_NEWNET) == 0:
                active += ["userns", "netns"]
            elif call("unshare", _CLONE_NEWNET) == 0:
                active.append("netns")
            else:
                unavailable.append("netns")
                notes.append(f"unshare: errno {get_errno()}")
        if "landlock" in wanted:
            _landlock(call, get_errno, read_roots, active, unavailable, notes)
    except Exception as e:  # a layer that fails is reported, never fatal
        notes.append(f"kernel layers: {type(e).__name__}: {e}")
        for name in kernel:
            if name not in active and name not in unavailable:
                unavailable.append(name)
    finally:
        # Nothing the harness loaded for the layers stays importable by name.
        for name in set(_modules) - before:
            _modules.pop(name, None)
    return active, unavailable, notes


def _landlock(call, get_errno, read_roots, active, unavailable, notes):
    abi = call("syscall", _SYS_CREATE_RULESET, None, 0, 1, ret="l")
    if abi < 1:
        unavailable.append("landlock")
        notes.append(f"landlock: errno {get_errno()}")
        return
    fs = _LL_FS_ABI1
    if abi >= 2:
        fs |= _LL_FS_REFER
    if abi >= 3:
        fs |= _LL_FS_TRUNCATE
    if abi >= 5:
        fs |= _LL_FS_IOCTL_DEV
    net = (_LL_NET_BIND_TCP | _LL_NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_LL_SCOPE_ABSTRACT_UNIX | _LL_SCOPE_SIGNAL) if abi >= 6 else 0
    # struct landlock_ruleset_attr {u64 handled_access_fs, handled_access_net, scoped}; older
    # kernels take the prefix they know.
    attr = _u64(fs) + _u64(net) + _u64(scoped)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = call("syscall", _SYS_CREATE_RULESET, attr, size, 0, ret="l")
    if ruleset < 0:
        unavailable.append("landlock")
        notes.append(f"landlock_create_ruleset: errno {get_errno()}")
        return
    try:
        readable = 0
        for path in read_roots:
            try:
                fd = posix.open(path, posix.O_PATH | posix.O_CLOEXEC)
            except OSError:
                continue
            try:
                is_dir = (posix.fstat(fd).st_mode & 0o170000) == 0o040000
                rights = (_LL_FS_READ_FILE | _LL_FS_READ_DIR) if is_dir else _LL_FS_READ_FILE
                # struct landlock_path_beneath_attr {u64 allowed_access; s32 parent_fd} packed
                rule = _u64(rights) + fd.to_bytes(4, sys.byteorder, signed=True)
                if call("syscall", _SYS_ADD_RULE, ruleset, 1, rule, 0, ret="l") == 0:
                    readable += 1
                else:
                    notes.append(f"landlock_add_rule {path}: errno {get_errno()}")
            finally:
                posix.close(fd)
        if call("prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            unavailable.append("landlock")
            notes.append(f"prctl(NO_NEW_PRIVS): errno {get_errno()}")
            return
        active.append("no-new-privs")
        if call("syscall", _SYS_RESTRICT_SELF, ruleset, 0, ret="l") != 0:
            unavailable.append("landlock")
            notes.append(f"landlock_restrict_self: errno {get_errno()}")
            return
        active.append("landlock")
        if net:
            active.append("landlock-net")
        if scoped:
            active.append("landlock-scope")
        notes.append(f"landlock ABI {abi}, {readable} readable roots")
    finally:
        posix.close(ruleset)


# --------------------------------------------------------------------------- the audit hook

# Event actions.
_ALLOW, _DENY, _CALLER, _OPEN, _READ, _IMPORT, _FRAMES, _RECORD = range(8)

_PROCESS = "generated code may not start processes or send signals"
_FILES = "generated code may not create, change or remove files"
_NETWORK = "generated code may not use the network"
_NATIVE = "generated code may not call native code"
_CODE = "generated code may not compile or execute code at run time"
_INTERNALS = "generated code may not inspect or change interpreter internals"
_HOST = "generated code may not touch the host"

_EVENTS = {
    # harmless, frequent
    "builtins.id": _ALLOW, "array.__new__": _ALLOW, "time.sleep": _ALLOW,
    "sys.excepthook": _ALLOW, "sys.unraisablehook": _ALLOW,
    "cpython._PySys_ClearAuditHooks": _ALLOW,
    # files
    "open": _OPEN,
    "os.listdir": _READ, "os.scandir": _READ, "os.walk": _READ, "os.fwalk": _READ,
    "glob.glob": _READ, "glob.glob/2": _READ, "os.getxattr": _READ, "os.listxattr": _READ,
    # imports
    "import": _IMPORT, "wishful.sandbox.denied": _RECORD,
    # code and introspection: denied when generated code asks
    "compile": _CALLER, "exec": _CALLER, "code.__new__": _CALLER, "function.__new__": _CALLER,
    "marshal.loads": _CALLER, "marshal.load": _CALLER, "marshal.dumps": _CALLER,
    "object.__getattr__": _FRAMES, "object.__setattr__": _CALLER, "object.__delattr__": _CALLER,
    "sys._getframe": _FRAMES, "sys._getframemodulename": _CALLER,
    "sys._current_frames": _FRAMES, "sys._current_exceptions": _FRAMES,
    "gc.get_objects": _CALLER, "gc.get_referrers": _CALLER, "gc.get_referents": _CALLER,
    "gc.get_freeze_count": _CALLER,
    # always denied once generated code may run
    "sys.settrace": _DENY, "sys.setprofile": _DENY, "sys.addaudithook": _DENY,
    "setopencodehook": _DENY, "builtins.input": _DENY, "builtins.input/result": _DENY,
    "builtins.breakpoint": _DENY, "pickle.find_class": _DENY, "pdb.Pdb": _DENY,
    "sys.monitoring.register_callback": _DENY, "sys.remote_exec": _DENY,
    "cpython.run_command": _DENY, "cpython.run_file": _DENY, "cpython.run_module": _DENY,
    "cpython.run_interactivehook": _DENY, "cpython.run_startup": _DENY,
    "cpython.run_stdin": _DENY, "cpython.remote_debugger_script": _DENY,
    "subprocess.Popen": _DENY, "pty.spawn": _DENY, "signal.pthread_kill": _DENY,
    "tempfile.mkstemp": _DENY, "tempfile.mkdtemp": _DENY, "webbrowser.open": _DENY,
}

#: Families denied whole, whatever the caller (the effect may be reached through a stdlib
#: wrapper such as ``ctypes.CDLL.__getattr__`` or ``urllib.request``).
_DENIED_FAMILIES = {
    "os": _FILES, "posix": _FILES, "shutil": _FILES, "tempfile": _FILES, "fcntl": _FILES,
    "mmap": _FILES, "sqlite3": "generated code may not open databases",
    "socket": _NETWORK, "ssl": _NETWORK, "urllib": _NETWORK, "http": _NETWORK,
    "ftplib": _NETWORK, "smtplib": _NETWORK, "imaplib": _NETWORK, "poplib": _NETWORK,
    "nntplib": _NETWORK, "telnetlib": _NETWORK, "webbrowser": _NETWORK,
    "ctypes": _NATIVE, "subprocess": _PROCESS, "pty": _PROCESS, "signal": _PROCESS,
    "resource": _HOST, "syslog": _HOST, "winreg": _HOST, "msvcrt": _HOST, "_winapi": _HOST,
    "_posixsubprocess": _PROCESS, "multiprocessing": _PROCESS, "_thread": _PROCESS,
    "_imp": _INTERNALS,
}
_PROCESS_EVENTS = frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                             "os.forkpty", "os.kill", "os.killpg", "os.startfile",
                             "os.startfile/2", "subprocess.Popen", "pty.spawn",
                             "signal.pthread_kill", "os.setpriority", "os.sched_setaffinity",
                             "os.sched_setscheduler", "os.sched_setparam", "os.setsid",
                             "os.setpgid", "os.setpgrp", "os.pidfd_open", "os.tcsetpgrp",
                             "os.login_tty"})
_WRITE_FLAGS = posix.O_WRONLY | posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC | posix.O_APPEND
_WRITE_MODE_CHARS = frozenset("wax+")


def _reason(event):
    if event in _PROCESS_EVENTS:
        return _PROCESS
    family = event.split(".", 1)[0]
    reason = _DENIED_FAMILIES.get(family)
    if reason is not None:
        return reason
    if event in ("compile", "exec", "code.__new__", "function.__new__") or \
            event.startswith("marshal."):
        return _CODE
    if event.startswith(("sys.", "gc.", "object.", "setopencodehook", "cpython.", "pickle.")):
        return _INTERNALS
    if event.startswith("builtins.input") or event == "builtins.breakpoint":
        return "generated code may not read input or start a debugger"
    return _HOST


def _normpath(path, cwd):
    """``path`` made absolute against ``cwd`` and normalised (no symlinks are resolved; the
    Landlock layer checks the real file)."""
    if not path.startswith("/"):
        path = cwd + "/" + path
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _frame_probe():
    """A generator that yields its caller's frame. Its own frame object is captured once at
    set-up (``gi_frame``, audited, before the hook exists); while it runs, that frame's
    ``f_back`` (not audited) is whoever called ``next``. This gives the hook the stack without
    ``sys._getframe``, which would raise an audit event inside the hook."""
    me = yield
    while True:
        yield me.f_back


def _make_probes(count=4):
    probes = []
    for _ in range(count):
        probe = _frame_probe()
        next(probe)
        probe.send(probe.gi_frame)
        probes.append(probe)
    return probes


def _make_hook(read_roots, cwd, denials, guarded, allowed):
    """The PEP 578 hook. Everything it needs is bound here; it is reachable from nowhere.

    ``guarded``: the import guard is installed, so every legitimate import passes through its
    (harness) frame, and import machinery called directly by generated code is a bypass. Without
    the guard, the machinery's own code loading (compile, exec, marshal) is trusted, and
    ``import`` events (raised for every module that is not loaded yet, also from inside the
    machinery) check module names.

    Re-entrancy: the hook's only audited operation is reading ``frame.f_code``; while it runs,
    exactly that event is let through. Every other event raised meanwhile (say, by a finalizer
    of generated code that the garbage collector runs inside the hook) is checked in full. The
    hook never calls ``repr``, ``==`` or ``isinstance`` on objects that are not exact built-in
    types, so it does not run generated code itself.
    """
    events_get = _EVENTS.get
    families = _DENIED_FAMILIES
    untrusted = UNTRUSTED
    importlib_files = IMPORTLIB
    harness_file = HARNESS_FILE
    deputies = FRAME_DEPUTIES
    get_ident = _modules["_thread"].get_ident
    roots = tuple(read_roots)
    write_flags = _WRITE_FLAGS
    write_chars = _WRITE_MODE_CHARS
    busy = [None]
    record = denials.append
    frame_attrs = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
    frame_type = type(_getframe(0))
    probes = _make_probes()
    str_, bytes_, int_ = str, bytes, int

    def caller_frame():
        """The frame that raised the event: probe <- caller_frame <- check <- hook <- it."""
        for probe in probes:
            if not probe.gi_running:
                return next(probe).f_back.f_back.f_back
        return None  # every probe busy: nested too deep; the caller denies

    def origin(frame, for_denial=False):
        """(decider, untrusted_further_out, candidate_line) for the code that raised an event.

        ``decider`` is the nearest frame outside the import machinery: "untrusted" (generated
        code), "harness", or the stdlib file name.
        """
        decider = None
        further = False
        line = None
        while frame is not None:
            name = frame.f_code.co_filename
            if name == CANDIDATE and line is None:
                line = frame.f_lineno
            if decider is None:
                if name in importlib_files:
                    pass
                elif name in untrusted:
                    decider = "untrusted"
                elif name == harness_file:
                    if not for_denial or line is not None:
                        return "harness", False, line
                    decider = "harness"  # keep looking for the candidate's line
                else:
                    decider = name
            elif name in untrusted:
                further = True
            elif name == harness_file and (decider != "harness" or line is not None):
                break
            frame = frame.f_back
        return decider, further, line

    def describe(value):
        t = type(value)
        if t is str_ or t is bytes_ or t is int_:
            return _safe_repr(value, 80)
        return f"a {t.__name__} object"

    def deny(event, message, line, raise_as=PermissionError):
        record((event, message, line))
        raise raise_as(message)

    def hook(event, args):
        action = events_get(event)
        if action is _ALLOW:
            return
        me = get_ident()
        if busy[0] == me and event == "object.__getattr__" and type(args[0]) is frame_type \
                and type(args[1]) is str_ and args[1] == "f_code":
            return  # the hook reading a frame's code object
        previous = busy[0]
        busy[0] = me
        try:
            check(event, args, action)
        finally:
            busy[0] = previous

    def check(event, args, action):
        if action is None:
            family = event.split(".", 1)[0]
            action = _DENY if family in families or event in _PROCESS_EVENTS else _CALLER
        frame = caller_frame()
        if frame is None:
            deny(event, f"{event} is not allowed: {_INTERNALS}", None)
        if action is _RECORD:
            name, line = args[0], args[1]
            why = args[2] if len(args) > 2 else "only the modules of the policy may be imported"
            if type(name) is str_ and type(why) is str_ and (line is None or type(line) is int_):
                record(("import", f"import of {name!r} is not allowed: {why}", line))
            return
        if action is _DENY:
            decider, further, line = origin(frame, True)
            deny(event, f"{event} is not allowed: {_reason(event)}", line)
        if action is _OPEN:
            path, mode, flags = args[0], args[1], args[2]
            if (type(flags) is int_ and flags & write_flags) or (
                    type(mode) is str_ and not write_chars.isdisjoint(mode)):
                decider, further, line = origin(frame, True)
                deny(event, f"opening {describe(path)} for writing is not allowed: {_FILES}",
                     line)
            action = _READ
        if action is _CALLER and not guarded and frame.f_code.co_filename in importlib_files:
            return  # the import machinery loading code; "import" events check the names
        decider, further, line = origin(frame)
        if decider == "harness" or decider is None:
            return
        if action is _READ:
            if decider != "untrusted" and not further:
                return  # the stdlib on its own behalf (an import, linecache)
            path = args[0] if args else None
            if type(path) is bytes_:
                path = path.decode("utf-8", "surrogateescape")
            if type(path) is str_:
                full = _normpath(path, cwd)
                for root in roots:
                    if full == root or full.startswith(root + "/"):
                        return  # stdlib sources, time-zone data, ...
            deny(event, f"reading {describe(path)} ({event}) is not allowed: generated code "
                        "may not read files", line)
        if action is _IMPORT:
            if decider != "untrusted":
                return
            name = args[0]
            if type(name) is str_ and (name in allowed or name in LAZY_IMPORTS):
                return
            deny(event, f"import of {describe(name)} is not allowed: only the modules of the "
                        "policy may be imported", line, ImportError)
        attribute = args[1] if event.startswith("object.") and len(args) > 1 else None
        if decider == "untrusted":
            detail = f" ({describe(attribute)})" if attribute is not None else ""
            deny(event, f"{event}{detail} is not allowed: {_reason(event)}", line)
        if action is _FRAMES and further and decider.endswith(deputies) and (
                event != "object.__getattr__" or type(attribute) is not str_
                or attribute in frame_attrs):
            deny(event, f"{event} (through {decider.rsplit('/', 1)[-1]}) is not allowed: "
                            f"{_INTERNALS}", line)

    return hook


def _make_import(original, allowed, untrusted, getframe, modules, audit):
    """The guarded ``__import__``. It is given empty globals (see ``_install_import``), so
    every name it uses must be bound here."""
    _isinstance = isinstance
    _getattr = getattr
    _hasattr = hasattr
    _str = str
    _module_type = type(sys)
    _import_error = ImportError
    _lazy = LAZY_IMPORTS
    _missing = object()
    _candidate = CANDIDATE

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        frame = getframe(1)
        if frame.f_code.co_filename not in untrusted:
            return original(name, globals, locals, fromlist, level)

        def refuse(what, why):
            line = None
            f = frame
            while f is not None:
                if f.f_code.co_filename == _candidate:
                    line = f.f_lineno
                    break
                f = f.f_back
            audit("wishful.sandbox.denied", what, line, why)
            raise _import_error(f"import of {what!r} is not allowed: {why}", name=what)

        if level:
            first = fromlist[0] if fromlist and not name else ""
            refuse(("." * level) + (name or "") + first, "relative imports are not allowed")
        if name not in allowed and name not in _lazy:
            refuse(name, "only the modules of the policy may be imported")
        if fromlist:
            original(name, globals, locals, (), 0)
            target = modules.get(name)
            for item in fromlist:
                if not _isinstance(item, _str) or item == "*":
                    continue
                sub = name + "." + item
                value = _getattr(target, item, _missing)
                if value is _missing:
                    if _hasattr(target, "__path__") and sub not in allowed:
                        refuse(sub, "only the modules of the policy may be imported")
                elif _isinstance(value, _module_type) and value.__name__ not in allowed \
                        and sub not in allowed:
                    refuse(value.__name__, "only the modules of the policy may be imported")
        return original(name, globals, locals, fromlist, level)

    return __import__


class CpuTimeLimit(BaseException):
    """Raised in the main thread at the soft CPU limit (the hard limit, one second later,
    kills). A BaseException so that ``except Exception`` in generated code does not hide it."""


def _make_cpu_handler(exc):
    def on_sigxcpu(signum, frame):
        raise exc("CPU time limit exceeded")

    return on_sigxcpu


def _clean(function_obj, name):
    """``function_obj`` rebuilt with empty globals: generated code can reach it (through
    ``builtins`` or ``signal.getsignal``) but not the harness's namespace through it."""
    return type(function_obj)(function_obj.__code__, {"__builtins__": {}}, name,
                              function_obj.__defaults__, function_obj.__closure__)


def _install_cpu_handler():
    signal = _modules.get("_signal")
    if signal is None or not hasattr(signal, "SIGXCPU"):
        return
    try:
        signal.signal(signal.SIGXCPU, _clean(_make_cpu_handler(CpuTimeLimit), "on_sigxcpu"))
    except (OSError, ValueError):
        pass


#: Functions that reach outside the process (or hand out frames) but raise no audit event in
#: CPython: the audit-hook layer replaces them with stubs that raise ``<module>.<name>``, which
#: the hook denies. (``posix`` serves ``os``; ``_signal`` serves ``signal``.)
_UNAUDITED = {
    "posix": ("mknod", "mkfifo", "chroot", "setpriority", "sched_setaffinity",
              "sched_setscheduler", "sched_setparam", "setsid", "setpgid", "setpgrp",
              "pidfd_open", "tcsetpgrp", "login_tty"),
    "_signal": ("signal", "setitimer", "alarm", "set_wakeup_fd", "pthread_sigmask",
                "pidfd_send_signal", "siginterrupt"),
}


def _make_stub(audit, event, error):
    def stub(*args, **kwargs):
        audit(event, *args)
        raise error(f"{event} is not allowed in the sandbox")

    return stub


def _make_builtin_guard(original, protected, audit, error):
    _type, _getattr, _str = type, getattr, str

    def create_builtin(spec):
        name = _getattr(spec, "name", None)
        if _type(name) is not _str or name in protected:
            audit("_imp.create_builtin", name)
            raise error("re-creating a built-in module is not allowed in the sandbox")
        return original(spec)

    return create_builtin


def _stub_unaudited():
    """Replace the functions of ``_UNAUDITED`` (also where ``os`` re-exports them), and refuse
    to re-create the built-in modules changed here (or ``builtins``, whose fresh copy would
    have the original ``__import__``): ``_imp.create_builtin`` raises no audit event."""
    imp = _modules.get("_imp")
    if imp is not None and hasattr(imp, "create_builtin"):
        guard = _make_builtin_guard(imp.create_builtin, frozenset({"posix", "_signal", "builtins"}),
                                    _audit, PermissionError)
        imp.create_builtin = _clean(guard, "create_builtin")
    for module_name, names in _UNAUDITED.items():
        module = _modules.get(module_name)
        if module is None:
            continue
        prefix = "os" if module_name == "posix" else "signal"
        for name in names:
            if not hasattr(module, name):
                continue
            stub = _clean(_make_stub(_audit, f"{prefix}.{name}", PermissionError), name)
            setattr(module, name, stub)
            alias = _modules.get("os") if module_name == "posix" else _modules.get("signal")
            if alias is not None and hasattr(alias, name):
                setattr(alias, name, stub)


def _install_import(allowed, builtins_module):
    guard = _make_import(builtins_module.__import__, allowed, UNTRUSTED, _getframe, _modules,
                         _audit)
    clean = _clean(guard, "__import__")
    builtins_module.__import__ = clean
    return clean


# --------------------------------------------------------------------------- doctests

def _parse_doctests(doc):
    """``(source, expected_lines, options)`` for each ``>>>`` example in ``doc``."""
    out = []
    lines = doc.expandtabs().split("\n")
    i, n = 0, len(lines)
    while i < n:
        stripped = lines[i].lstrip()
        if not stripped.startswith(">>>"):
            i += 1
            continue
        indent = len(lines[i]) - len(stripped)
        source = [stripped[4:] if stripped.startswith(">>> ") else stripped[3:]]
        i += 1
        while i < n:
            s = lines[i].lstrip()
            if s.startswith("... ") or s == "...":
                source.append(s[4:])
                i += 1
            else:
                break
        want = []
        while i < n:
            line = lines[i]
            s = line.lstrip()
            if not s or s.startswith(">>>"):
                break
            want.append(line[indent:] if len(line) - len(s) >= indent else s)
            i += 1
        # a docstring that starts on its quote line ("""">>> f()\n    1""") indents only the
        # output: remove the indentation the output lines share
        margin = min((len(w) - len(w.lstrip()) for w in want if w.strip()), default=0)
        want = [w[margin:] for w in want]
        src = "\n".join(source)
        options = set()
        if "doctest:" in src:
            for word in src.split("doctest:", 1)[1].replace(",", " ").split():
                if word[:1] in "+-":
                    options.add(word)
        out.append((src, want, options))
    return out


def _ellipsis_match(want, got):
    pieces = want.split("...")
    if len(pieces) == 1:
        return want == got
    if not got.startswith(pieces[0]) or not got.endswith(pieces[-1]):
        return False
    pos = len(pieces[0])
    end = len(got) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = got.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return pos <= end


def _doctest_matches(want_lines, got, options):
    want = "\n".join("" if w == "<BLANKLINE>" else w for w in want_lines).rstrip()
    got = "\n".join(line.rstrip() for line in got.rstrip().split("\n"))
    want = "\n".join(line.rstrip() for line in want.split("\n"))
    if "+NORMALIZE_WHITESPACE" in options:
        want, got = " ".join(want.split()), " ".join(got.split())
    if want == got:
        return True
    if "+ELLIPSIS" in options:
        return _ellipsis_match(want, got)
    return False


# --------------------------------------------------------------------------- the run

def _main():
    stdin = sys.stdin.buffer
    payload = marshal.loads(stdin.read())
    stdin.close()
    try:
        posix.close(0)
    except OSError:
        pass
    tag = payload.pop("nonce")
    fd = payload.pop("fd")
    stdout = sys.stdout
    stderr = sys.stderr

    def send(kind, obj):
        parts = []
        _json(obj, parts)
        data = tag + b" " + kind + b" " + "".join(parts).encode("ascii") + b"\n"
        while data:
            n = _write(fd, data)
            data = data[n:]

    def finish(verdict):
        for stream in (stdout, stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        send(b"V", verdict)
        _exit(0)

    layers, unavailable, notes = ["process"], [], []
    wanted = payload["layers"]
    if _apply_rlimits(payload["limits"]):
        layers.append("rlimits")
    active, missing, layer_notes = _kernel_layers(wanted, payload["read_roots"])
    layers += active
    unavailable += missing
    notes += layer_notes

    verdict = {"layers": layers, "unavailable": unavailable, "notes": notes, "failures": [],
               "warnings": [], "examples_run": 0, "examples_passed": 0, "tests_run": 0}
    try:
        _run(payload, verdict, send)
    except CpuTimeLimit:  # the signal arrived while the harness itself was running
        verdict["failures"].append(_failure(
            "resource", f"CPU time limit of {payload['limits']['cpu']} s exceeded",
            hint="Make the code terminate quickly: avoid unbounded loops and brute force."))
    except BaseException as e:  # a harness bug is a verdict, not a crash
        verdict["failures"].append(_failure(
            "harness", f"sandbox harness error: {_exc_text(e)}",
            hint="This is a problem of the sandbox, not of the code; retry or report it."))
    finish(verdict)


def _run(payload, verdict, send):
    import builtins

    failures = verdict["failures"]
    warnings = verdict["warnings"]
    layers = verdict["layers"]
    wanted = payload["layers"]
    allowed = frozenset(payload["allowed"])
    denials = []
    seen_denials = [0]
    stop = [False]  # the CPU limit fired: report at once, the hard limit follows in 1 s

    # directories of the third-party modules the project allows (readable: see read_roots)
    sys.path.extend(payload.get("extra_paths", ()))
    if "guarded-import" in wanted:
        _install_import(allowed, builtins)
        layers.append("guarded-import")
    if "audit-hook" in wanted:
        hook = _make_hook(payload["hook_read_roots"], payload["cwd"], denials,
                          "guarded-import" in wanted, allowed)
        sys.addaudithook(hook)
        layers.append("audit-hook")

    def add(kind_list, failure):
        if len(kind_list) < MAX_FAILURES:
            kind_list.append(failure)

    def new_denials(call=None, line=None):
        """Blocked effects since the last call, as failures (each effect reported once)."""
        start = seen_denials[0]
        seen_denials[0] = len(denials)
        seen = set()
        found = False
        for event, message, where in denials[start:]:
            if message in seen:
                continue
            seen.add(message)
            found = True
            where = where if where is not None else line
            text = message + (f" (line {where})" if where else "")
            if call:
                text += f", while running `{call}`"
            add(failures, _failure("blocked-effect", text, line=where, call=call,
                                   hint=_effect_hint(event)))
        return found

    def classify(exc, call=None, expected=None, context="while importing the module",
                 soft=False):
        """A failure for an exception raised by generated code."""
        line = _candidate_line(exc)
        where = f" (line {line})" if line else ""
        if new_denials(call, line):
            return None
        if isinstance(exc, CpuTimeLimit):
            stop[0] = True
            return _failure("resource", f"CPU time limit of {payload['limits']['cpu']} s "
                            f"exceeded{where} {context}", line=line, call=call,
                            expected=expected, got="CPU time limit",
                            hint="Make the code terminate quickly: avoid unbounded loops and "
                                 "brute force.")
        if isinstance(exc, MemoryError):
            return _failure("resource", f"memory limit of {payload['limits']['memory_mb']} MB "
                            f"exceeded (MemoryError){where} {context}", line=line, call=call,
                            expected=expected, got="MemoryError",
                            hint="Use far less memory: avoid building huge strings, lists or "
                                 "numbers.")
        if isinstance(exc, RecursionError):
            return _failure("resource", f"recursion limit exceeded (RecursionError){where} "
                            f"{context}", line=line, call=call, expected=expected,
                            got="RecursionError",
                            hint="Bound the recursion depth or use iteration instead.")
        if isinstance(exc, OSError) and getattr(exc, "errno", None) in (1, 13, 101, 30):
            return _failure("blocked-effect", f"{_exc_text(exc)}{where} {context}: the "
                            "sandbox's kernel layer denied a file, network or process "
                            "operation", line=line, call=call,
                            hint="Remove the file, network or process access; generated "
                                 "modules must be pure computation.")
        kind = "import" if call is None else "example-failed"
        if call is None:
            return _failure(kind, f"{_exc_text(exc)}{where} {context}", line=line,
                            got=_exc_text(exc),
                            hint="The module must import without errors: fix the failing "
                                 "top-level statement or move work into functions.")
        return _failure(kind, f"`{call}` raised {_exc_text(exc)}{where}"
                        + (f", expected {expected}" if expected is not None else ""),
                        line=line, call=call, expected=expected, got=_exc_text(exc),
                        hint="Make the function return the expected value for this input "
                             "instead of raising.")

    # ---- the candidate module
    module_name = payload["module"]
    source = payload["code"]
    send(b"S", {"stage": "import"})
    try:
        code = compile(source, CANDIDATE, "exec", dont_inherit=True)
    except SyntaxError as e:
        add(failures, _failure("syntax", f"SyntaxError: {e.msg} (line {e.lineno})",
                               line=e.lineno,
                               hint="Fix the syntax; the module must parse with Python "
                                    f"{sys.version_info[0]}.{sys.version_info[1]}."))
        return
    except (ValueError, TypeError) as e:
        add(failures, _failure("syntax", f"the module cannot be compiled: {_exc_text(e)}",
                               hint="Remove null bytes and other invalid characters."))
        return

    module = type(sys)(module_name)
    namespace = module.__dict__
    candidate_builtins = dict(vars(builtins))
    namespace.update({"__builtins__": candidate_builtins, "__loader__": None, "__spec__": None,
                      "__package__": module_name.rpartition(".")[0], "__file__": CANDIDATE})
    _modules[module_name] = module
    # Hide the harness's bootstrap module.
    _modules["__main__"] = type(sys)("__main__")
    _install_cpu_handler()
    if "audit-hook" in wanted:
        _stub_unaudited()
    try:
        exec(code, namespace)
    except BaseException as e:
        failure = classify(e)
        if failure is not None:
            add(failures, failure)
        new_denials()
        return
    if new_denials():
        return

    # ---- requested names
    for name in payload["names"]:
        value = namespace.get(name, None)
        if name not in namespace:
            add(failures, _failure(
                "import", f"the module does not define {name!r}, which the user imports",
                hint=f"Define a top-level function or class named {name!r}."))
        elif not callable(value):
            add(failures, _failure(
                "import", f"{name!r} is a {type(value).__name__}, not a function or class",
                hint=f"Make {name!r} a function (or a class) at module level."))

    # ---- examples
    for call, result, raises, src in payload["examples"]:
        if stop[0]:
            return
        soft = src == "doctest"
        send(b"S", {"stage": "example", "call": call})
        verdict["examples_run"] += 1
        mark = len(denials)
        failure = _run_example(call, result, raises, namespace, classify)
        new_denials(call)
        if len(denials) > mark:
            continue  # reported as blocked-effect
        if failure is None:
            verdict["examples_passed"] += 1
        else:
            add(warnings if soft and failure["kind"] == "example-failed" else failures, failure)

    # ---- trusted tests
    for name, test_code, call, bindings in payload["tests"]:
        if stop[0]:
            return
        send(b"S", {"stage": "test", "call": name})
        verdict["tests_run"] += 1
        mark = len(denials)
        failure = _run_test(name, test_code, call, bindings, namespace, classify)
        new_denials(call or name)
        if failure is not None and len(denials) == mark:
            add(failures, failure)

    # ---- docstring examples (soft)
    if payload["doctests"]:
        for name in payload["names"]:
            obj = namespace.get(name)
            if obj is None or stop[0]:
                continue
            send(b"S", {"stage": "doctest", "call": name})
            for where, doc in _docstrings(name, obj):
                for src, want, options in _parse_doctests(doc):
                    if "+SKIP" in options:
                        continue
                    mark = len(denials)
                    failure = _run_doctest(where, src, want, options, namespace, classify)
                    new_denials(src)
                    if failure is not None and len(denials) == mark:
                        add(warnings, failure)


def _effect_hint(event):
    if event == "import":
        return ("Use only the allowed standard-library modules (pure computation: re, json, "
                "math, datetime, collections, itertools, ...).")
    return ("Remove this call: generated modules must be pure computation, with no files, "
            "processes, network access or interpreter internals.")


def _docstrings(name, obj):
    doc = getattr(obj, "__doc__", None)
    out = []
    if isinstance(doc, str) and ">>>" in doc:
        out.append((name, doc))
    if isinstance(obj, type):
        for attr, value in vars(obj).items():
            inner = getattr(value, "__func__", value)
            if isinstance(value, property):
                inner = value.fget
            doc = getattr(inner, "__doc__", None)
            if isinstance(doc, str) and ">>>" in doc and not attr.startswith("__"):
                out.append((f"{name}.{attr}", doc))
    return out


def _matches(value, expected, result_text, has_expected):
    if has_expected:
        try:
            if bool(value == expected):
                return True
        except BaseException:  # a generated __eq__ may raise
            pass
        real = (int, float)
        if type(value) is not bool and type(expected) is not bool and \
                isinstance(value, real) and isinstance(expected, real) and \
                (type(value) is float or type(expected) is float):
            try:
                if _isclose(value, expected, rel_tol=1e-9):
                    return True
            except BaseException:
                pass
    return _raw_repr(value) == result_text.strip()


def _run_example(call, result, raises, namespace, classify):
    try:
        code = compile(call, EXAMPLE, "eval", dont_inherit=True)
    except SyntaxError as e:
        return _failure("example-failed", f"the example call `{call}` is not a Python "
                        f"expression: {e.msg}", call=call,
                        hint="Write each example call as one Python expression.")
    try:
        value = eval(code, namespace)
    except BaseException as e:
        if raises is not None:
            names = {c.__name__ for c in type(e).__mro__}
            if raises.rpartition(".")[2] in names:
                return None
            return _failure("example-failed", f"`{call}` raised {_exc_text(e)}, expected "
                            f"{raises}", line=_candidate_line(e), call=call, expected=raises,
                            got=_exc_text(e),
                            hint=f"Raise {raises} for this input.")
        return classify(e, call=call, expected=result, context=f"while running `{call}`")
    if raises is not None:
        return _failure("example-failed", f"`{call}` returned {_safe_repr(value)}, expected it "
                        f"to raise {raises}", call=call, expected=raises,
                        got=_safe_repr(value),
                        hint=f"Raise {raises} for this input (validate the arguments).")
    if result is None:
        return None
    expected, has_expected = None, False
    try:
        expected = eval(compile(result, EXAMPLE, "eval", dont_inherit=True), namespace)
        has_expected = True
    except BaseException:  # compare by repr text instead
        pass
    if _matches(value, expected, result, has_expected):
        return None
    return _failure("example-failed", f"`{call}` returned {_safe_repr(value)}, expected "
                    f"{_one_line(result, 200)}", call=call, expected=_one_line(result, 200),
                    got=_safe_repr(value),
                    hint="Fix the function so this call returns the expected value.")


def _run_test(name, test_code, call, bindings, namespace, classify):
    ns = dict(namespace)
    for alias, attribute in bindings:
        if attribute not in namespace:
            return _failure("example-failed", f"test {name!r} needs {attribute!r}, which the "
                            "module does not define", call=call or name,
                            hint=f"Define {attribute!r} at module level.")
        ns[alias] = namespace[attribute]
    try:
        exec(compile(test_code, TEST, "exec", dont_inherit=True), ns)
        if call:
            eval(compile(call, TEST, "eval", dont_inherit=True), ns)
    except BaseException as e:
        if isinstance(e, (MemoryError, RecursionError)):
            return classify(e, call=call or name, context=f"while running test {name!r}")
        test_lines = _tb_lines(e.__traceback__, TEST)
        line = _candidate_line(e)
        where = f" at test line {test_lines[-1]}" if test_lines else ""
        if line:
            where += f" (module line {line})"
        return _failure("example-failed", f"test {name!r} failed{where}: {_exc_text(e)}",
                        line=line, call=call or name, got=_exc_text(e),
                        hint="Fix the function so that the hidden test passes: check edge "
                             "cases and the exact return type.")
    return None


def _run_doctest(where, src, want, options, namespace, classify):
    label = src.split("\n", 1)[0].strip()[:120]
    try:
        try:
            code = compile(src + "\n", DOCTEST, "eval", dont_inherit=True)
            mode = "eval"
        except SyntaxError:
            code = compile(src + "\n", DOCTEST, "exec", dont_inherit=True)
            mode = "exec"
    except SyntaxError as e:
        return _failure("example-failed", f"doctest in {where}: `{label}` does not parse: "
                        f"{e.msg}", call=label, hint="Fix the docstring example.")
    buffer = _StringIO()
    saved = sys.stdout
    sys.stdout = buffer
    try:
        try:
            if mode == "eval":
                value = eval(code, namespace)
                if value is not None:
                    buffer.write(_raw_repr(value) + "\n")
            else:
                exec(code, namespace)
            got = buffer.getvalue()
        except BaseException as e:
            if isinstance(e, (MemoryError, RecursionError)):
                return classify(e, call=label, context=f"in the doctest of {where}")
            if want and want[0].startswith("Traceback (most recent call last)"):
                last = want[-1].strip()
                exc_line = _exc_text(e)
                if exc_line == last or exc_line.startswith(last) or \
                        type(e).__name__ == last.split(":", 1)[0].rpartition(".")[2]:
                    return None
            got = buffer.getvalue() + "Traceback (most recent call last):\n" + _exc_text(e)
    finally:
        sys.stdout = saved
    if _doctest_matches(want, got, options):
        return None
    expected = _one_line("\n".join(want) or "(no output)", 200)
    return _failure("example-failed", f"doctest in {where}: `{label}` gave "
                    f"{_one_line(got or '(no output)', 200)}, the docstring says {expected}",
                    call=label, expected=expected, got=_one_line(got, 200),
                    hint="Make the docstring example match what the code returns (doctests "
                         "are only a warning).")


def _bind_math():
    import math
    return math.isclose, math.isfinite


_isclose, _isfinite = _bind_math()

_main()
