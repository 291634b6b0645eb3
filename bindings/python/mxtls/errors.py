"""Exceptions: one class per stable libmxtls error code, made from the library.

The classes are generated at import from mxtls_error_name(1..MXTLS_ERR_MAX), so
they follow the library actually loaded: "wrong_password" becomes
WrongPasswordError, and so on. A code newer than this binding maps to Error
itself, still with its .code and .number. The message is the library's,
verbatim: it names the file, entry or algorithm and never holds a secret.
"""
import ctypes

from ._lib import LibraryError, const, lib

__all__ = ["Error", "LibraryError"]


class Error(Exception):
    """A libmxtls failure: .code (stable name), .number, .message (the library's text)."""

    code = "unknown"
    number = 0

    def __init__(self, message, code=None, number=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if number is not None:
            self.number = number

    def __str__(self):
        return f"{self.code}: {self.message}"


Error.__module__ = "mxtls"  # shown as mxtls.Error in tracebacks, like the generated classes


# Where a builtin exception means the same thing, also derive from it, so that
# generic handlers (except MemoryError) keep working.
_ALSO = {"nomem": (MemoryError,)}
_BY_NUMBER = {}


def _class_name(code):
    return "".join(part.capitalize() for part in code.split("_")) + "Error"


def _make_classes():
    for number in range(1, const("MXTLS_ERR_MAX") + 1):
        code = lib.mxtls_error_name(number).decode("ascii")
        name = _class_name(code)
        doc = f"{lib.mxtls_strerror(number).decode('utf-8', 'replace')} (code {code!r})."
        cls = type(name, (Error,) + _ALSO.get(code, ()),
                   {"code": code, "number": number, "__doc__": doc, "__module__": "mxtls"})
        _BY_NUMBER[number] = cls
        globals()[name] = cls
        __all__.append(name)


_make_classes()
_ERROR_SIZE = lib.mxtls_error_size()


def error_buffer():
    """A fresh, caller-allocated mxtls_error (one per call: calls may run in many threads)."""
    return ctypes.create_string_buffer(_ERROR_SIZE)


def from_buffer(err):
    """The exception an mxtls_error filled by a failing call describes."""
    number = lib.mxtls_error_code(err)
    message = (lib.mxtls_error_message(err) or b"").decode("utf-8", "replace")
    cls = _BY_NUMBER.get(number, Error)
    return cls(message, code=lib.mxtls_error_name(number).decode("ascii"), number=number)


def error_class(code):
    """The exception class for a stable code name ("wrong_password"), or Error."""
    for cls in _BY_NUMBER.values():
        if cls.code == code:
            return cls
    return Error
