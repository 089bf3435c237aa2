"""Who may talk to the local server: the ``Host`` check and the cross-site ``POST`` check.

Two attacks reach a server on 127.0.0.1 through the user's own browser:

- **DNS rebinding.** A web page from ``evil.example`` makes its name resolve to 127.0.0.1
  and then reads the local app as if it were its own site. The browser still sends
  ``Host: evil.example``: every request whose ``Host`` is not a name of this server is
  refused (400). The port is not checked — an SSH tunnel or a port forward legitimately
  changes it, and rebinding is stopped by the name. An IP address in ``Host`` cannot be
  rebound; it is accepted when the server listens on every interface (``0.0.0.0``).
- **Cross-site form posts.** Any page can make the browser post a form (an upload, a
  household) to ``http://127.0.0.1:8000``. A ``POST`` is refused (403) when the browser
  says it comes from another site: ``Sec-Fetch-Site`` other than ``same-origin``/``none``,
  or an ``Origin`` (else a ``Referer``) that is not this very address (``Origin: null``,
  sent by sandboxed or privacy-hardened pages, included). Programs that send none of these
  headers (curl, scripts) are served: they are not a browser being abused.

Example:
    >>> guard = RequestGuard.for_host("127.0.0.1")
    >>> guard.refusal("GET", {"host": "localhost:8000"}) is None
    True
    >>> guard.refusal("GET", {"host": "evil.example:8000"})[0]
    400
    >>> guard.refusal("POST", {"host": "127.0.0.1:8000", "origin": "http://evil.example"})[0]
    403
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lanterne.i18n import Msg

#: Names every server answers to: this computer.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: The name Starlette's in-process test client sends; accepted only by an app made without
#: a listening address (:func:`lanterne.web.create_app` in a program or a test).
IN_PROCESS_NAME = "testserver"
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server to this computer.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5")]
    [True, True, True, False, False]
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name part of a ``Host`` header (or of a URL's netloc), lower case, no port.

    >>> host_name("LocalHost:8000"), host_name("[::1]:8000"), host_name("127.0.0.1")
    ('localhost', '::1', '127.0.0.1')
    """
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name, _, port = header.rpartition(":")
    return name if name and port.isdigit() else header.rstrip(":")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _machine_names() -> set[str]:
    names = {socket.gethostname().lower()}
    with contextlib.suppress(OSError):  # a resolver failure: the short name is enough
        names.add(socket.getfqdn().lower())
    return names | {f"{n}.local" for n in names if "." not in n}


@dataclass(frozen=True)
class RequestGuard:
    """The ``Host`` names accepted, and whether any IP address is (wildcard listening)."""

    names: frozenset[str]
    any_ip: bool = False

    @classmethod
    def for_host(cls, bound: str | None, extra: Iterable[str] = ()) -> RequestGuard:
        """The guard of a server listening on ``bound`` (``None``: not listening itself)."""
        names = set(LOOPBACK_NAMES) | {n.lower() for n in extra}
        if bound is None:
            return cls(frozenset(names | {IN_PROCESS_NAME}))
        bound = bound.strip("[]").lower()
        if bound in WILDCARDS:
            return cls(frozenset(names | _machine_names()), any_ip=True)
        return cls(frozenset(names | {bound}))

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names this server."""
        if not header:
            return False
        name = host_name(header)
        return name in self.names or (self.any_ip and _is_ip(name))

    def refusal(
        self, method: str, headers: Mapping[str, str], scheme: str = "http"
    ) -> tuple[int, Msg] | None:
        """``(status, message)`` when the request must be refused, else ``None``.

        ``headers``: lower-case names (the first value of each); ``scheme``: the request's.
        """
        host = headers.get("host")
        if not self.host_allowed(host):
            return 400, Msg(
                "adresse refusée : ce serveur Lanterne ne répond qu'à {names}, pas à « {h} ». "
                "Ouvrez-le par l'adresse affichée au démarrage (par exemple "
                "http://127.0.0.1:8000/). Une page web qui fait passer son propre nom pour "
                "cet ordinateur (rebinding DNS) est refusée ainsi.",
                "address refused: this Lanterne server only answers to {names}, not to "
                "'{h}'. Open it at the address printed at startup (for example "
                "http://127.0.0.1:8000/). This is how a web page passing its own name off "
                "as this computer (DNS rebinding) is refused.",
                names=", ".join(sorted(n for n in self.names if n != IN_PROCESS_NAME)),
                h=(host or "")[:100],
            )
        if method.upper() in SAFE_METHODS or same_origin(headers, scheme):
            return None
        return 403, Msg(
            "envoi refusé : ce formulaire vient d'un autre site que ce serveur Lanterne. "
            "Une page web ne peut pas envoyer de fichier ou de données à Lanterne à votre "
            "place. Remplissez le formulaire sur les pages de Lanterne elles-mêmes.",
            "submission refused: this form comes from another site than this Lanterne "
            "server. A web page may not send files or data to Lanterne on your behalf. "
            "Fill in the form on Lanterne's own pages.",
        )


def same_origin(headers: Mapping[str, str], scheme: str = "http") -> bool:
    """Whether a state-changing request comes from this server's own pages (or no browser).

    Same origin: the same scheme and the same ``host:port`` as the request itself.

    >>> same_origin({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"})
    True
    >>> same_origin({"host": "127.0.0.1:8000", "sec-fetch-site": "same-site"})
    False
    >>> same_origin({"host": "127.0.0.1:8000"})  # curl, a script: no browser to abuse
    True
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in ("same-origin", "none"):
        return False
    here = f"{scheme}://{headers.get('host') or ''}".lower()
    origin = headers.get("origin")
    if origin is not None:
        return _origin(origin) == here
    referer = headers.get("referer")
    if referer is not None:
        return _origin(referer) == here
    return True


def _origin(url: str) -> str | None:
    """``scheme://host:port`` of an ``http(s)`` URL, lower case; ``None`` for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()
