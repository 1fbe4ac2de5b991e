"""Response headers that tell browsers what a page may do, and who may read /metrics.

Every API answer says `nosniff`, may not be framed and sends no referrer. The pages (the H5 at
/h5/, the console at /console/ when it is served) get a Content-Security-Policy that the Vite
build satisfies: module scripts and styles from our own origin only (no inline script; Vant sets
inline styles, hence `'unsafe-inline'` for styles alone), the WeChat JS-SDK from res.wx.qq.com
(loaded inside WeChat for scanQRCode), Vant's icon-font fallback, images from our origin (signed upload URLs), `data:` (the
captcha) and `blob:` (authorised images, posters), and the live WebSocket.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress

# where the H5 loads the WeChat JS-SDK from (h5/.env VITE_WECHAT_JSSDK_URL) and its fallback host
WECHAT_JSSDK_ORIGINS = "https://res.wx.qq.com https://res2.wx.qq.com"

# the scheme-relative `//at.alicdn.com/...woff` in Vant's CSS (h5/dist/assets/client-*.css)
VANT_ICON_FONT_HOST = "at.alicdn.com"

PAGE_CSP = "; ".join([
    "default-src 'self'",
    f"script-src 'self' {WECHAT_JSSDK_ORIGINS}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    # Vant's icon font is inlined as woff2; its CSS names a woff fallback on Alibaba's CDN, which
    # Chromium fetches too: allowed (a font cannot run code) rather than break the icons
    f"font-src 'self' data: {VANT_ICON_FONT_HOST}",
    "media-src 'self' blob:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# JSON and files: nothing to run, nothing to frame
API_CSP = "default-src 'none'; frame-ancestors 'none'"

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def api_headers(handler) -> None:
    for k, v in COMMON.items():
        handler.set_header(k, v)
    handler.set_header("Content-Security-Policy", API_CSP)


def page_headers(handler) -> None:
    for k, v in COMMON.items():
        handler.set_header(k, v)
    handler.set_header("Content-Security-Policy", PAGE_CSP)


# ----------------------------------------------------------------------------- /metrics

# a request that passed through a proxy on this host has a loopback peer but a remote client
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def _loopback(ip: str | None) -> bool:
    try:
        return ipaddress.ip_address((ip or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def peer_ip(request) -> str | None:
    """The address of the TCP peer itself, whatever `X-Real-IP` says (Tornado's `remote_ip`
    follows the forwarding headers when TRUSTED_PROXY is on)."""
    context = getattr(request.connection, "context", None)
    address = getattr(context, "address", None)
    if isinstance(address, tuple) and address:
        return str(address[0])
    return None if context is not None else request.remote_ip


def metrics_allowed(*, peer: str | None, headers, token: str) -> bool:
    """/metrics answers a scraper on this host that talks to the process directly, or anyone
    who shows the configured METRICS_TOKEN as `Authorization: Bearer <token>`. A forwarded
    request is never "local": behind nginx on the same host every client would look so."""
    if token:
        auth = headers.get("Authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip().encode(), token.encode()):
            return True
    return _loopback(peer) and not any(h in headers for h in FORWARDING_HEADERS)


@functools.lru_cache(maxsize=16)
def _networks(addresses: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request, *, trusted_proxy: bool, proxies: tuple[str, ...]) -> str:
    """The client's address for limits and logs. The forwarding headers are believed only when
    TRUSTED_PROXY is on AND the TCP peer is one of TRUSTED_PROXY_ADDRESSES (nginx): anyone else
    who sends `X-Real-IP` would otherwise pick the address every per-IP limit counts against.
    `X-Real-IP` first (nginx sets it to the address it saw), else the last `X-Forwarded-For` hop."""
    peer = peer_ip(request) or request.remote_ip
    if trusted_proxy and peer:
        ip = _valid_ip(peer.split("%")[0])
        if ip is not None and any(ipaddress.ip_address(ip) in net for net in _networks(proxies)):
            real = _valid_ip(request.headers.get("X-Real-Ip", ""))
            if real is None:
                hops = [h for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
                real = _valid_ip(hops[-1]) if hops else None
            if real is not None:
                return real
    return peer or "unknown"
