"""The staff console's web page (Flask): sign in, the queue, a ticket opened, its actions.

Plain HTML forms, no script from anywhere (a town hall's counter PC has no network beyond the
terminal): the queue page reloads itself by ``<meta http-equiv="refresh">``. Every action is a
POST carrying the session's CSRF token; anything malformed, unknown or out of turn ends in one
clear message in Japanese, never a traceback. The password is checked against its scrypt hash
and never logged; the resident's name is only ever in the page of an opened ticket.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, flash, get_flashed_messages, redirect, request, session, url_for
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from kiosk.counter.console import Console, ConsoleError, describe
from kiosk.field.operator_pin import check_pin
from kiosk.journal.opening import JournalError
from kiosk.journal.tickets import Ticket
from kiosk.vocabulary.certificate_names import certificate_ja

log = logging.getLogger(__name__)

MAX_FORM = 4096  # bytes of a form post: a password and a token fit many times over
ACTIONS: dict[str, Callable[[Console, str], Any]] = {
    "fee": Console.take_fee, "print": Console.print, "hand-over": Console.hand_over,
    "void": lambda console, order_id: console.void(order_id),
}
_HTTP_TEXT = {400: "要求が正しくありません。",
              403: "この操作はできません（画面を開き直してください）。",
              404: "そのページはありません。", 405: "その操作はできません。",
              413: "送信された内容が大きすぎます。"}
_STYLE = """body{font-family:sans-serif;margin:1.5em;font-size:18px}table{border-collapse:collapse}
td,th{border:1px solid #888;padding:.3em .7em}.msg{background:#ffe;border:1px solid #cc9;
padding:.5em}.err{background:#fee;border-color:#c99}.holder{font-size:28px;font-weight:bold}
button{font-size:18px;margin:.3em}"""


def _page(title: str, body: str, refresh: int = 0) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    flashed: list[tuple[str, str]] = get_flashed_messages(with_categories=True)  # type: ignore[assignment]
    notes = "".join(f'<p class="msg {escape(kind)}" id="message">{escape(text)}</p>'
                    for kind, text in flashed)
    nav = ('<form method="post" action="/logout"><input type="hidden" name="csrf" '
           f'value="{escape(session.get("csrf", ""))}"><button>サインアウト</button></form>'
           if session.get("staff") else "")
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8">{meta}'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{notes}{body}{nav}</body></html>")


def _form(action: str, label: str, wid: str) -> str:
    return (f'<form method="post" action="{escape(action)}"><input type="hidden" name="csrf" '
            f'value="{escape(session.get("csrf", ""))}"><button id="{escape(wid)}">'
            f"{escape(label)}</button></form>")


def _row(t: Ticket) -> str:
    return (f'<tr><td><a id="open-{escape(t.label)}" href="/ticket/{escape(t.order_id)}">'
            f"{escape(t.label)}</a></td><td>{escape(t.created[11:16])}</td>"
            f"<td>{escape(certificate_ja(t.certificate))}</td><td>{t.copies}通</td>"
            f"<td>{t.fee:,}円</td><td>{escape(describe(t))}</td></tr>")


def create_app(console: Console, password_hash: str, closes: str = "17:15") -> Flask:
    """The console's WSGI app over ``console``; staff sign in with the password of the hash."""
    app = Flask("kiosk.counter")
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_FORM,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        text = _HTTP_TEXT.get(exc.code or 500, "エラーが起きました。")
        return _page("らくらく窓口", f'<p class="msg err" id="message">{escape(text)}</p>'
                     '<p><a href="/">受付一覧へ</a></p>'), exc.code or 500

    @app.errorhandler(JournalError)
    def journal_error(exc: JournalError) -> tuple[str, int]:
        log.error("the console could not use the journal: %s", exc)
        return _page("らくらく窓口", '<p class="msg err" id="message">記録（ジャーナル）に'
                     "書けません。担当者に連絡してください。</p>"), 503

    @app.before_request
    def guard() -> Response | None:
        if request.endpoint in ("login", "static"):
            return None
        if not session.get("staff"):
            return redirect(url_for("login"))
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not isinstance(sent, str) or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(403)
        return None

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Response | str:
        if request.method == "POST":
            password = request.form.get("password", "")
            if password and check_pin(bytearray(password.encode()), password_hash):
                session.clear()
                session["staff"] = True
                session["csrf"] = secrets.token_urlsafe(24)
                console.book.staff("sign-in")
                return redirect(url_for("queue"))
            console.book.staff("sign-in refused")  # never the password typed
            flash("パスワードが違います。", "err")
            return redirect(url_for("login"))
        return _page("らくらく窓口 サインイン",
                     '<form method="post" action="/login"><label>パスワード '
                     '<input type="password" name="password" id="password" '
                     'autocomplete="current-password"></label> '
                     '<button id="sign-in">サインイン</button></form>')

    @app.post("/logout")
    def logout() -> Response:
        console.book.staff("sign-out")
        session.clear()
        return redirect(url_for("login"))

    @app.get("/")
    def queue() -> str:
        tickets = console.queue()
        rows = ("".join(_row(t) for t in tickets)
                or '<tr><td colspan="6">お待ちの方はいません。</td></tr>')
        calls = "".join(f"<li>{escape(c.at[11:16])} {escape(c.kiosk)}（{escape(c.screen)}）</li>"
                        for c in console.staff_calls())
        body = ('<table id="queue"><tr><th>番号</th><th>受付</th><th>証明書</th><th>通数</th>'
                f"<th>手数料</th><th>状態</th></tr>{rows}</table>")
        if calls:
            body += (f'<h2>呼び出し</h2><ul id="calls">{calls}</ul>'
                     + _form("/calls/answer", "対応しました", "answer-calls"))
        body += (f"<p>閉庁時刻 {escape(closes)}: 印刷前の受付票は取り消します"
                 "（支払済みは返金）。</p>"
                 + _form("/close-day", "閉庁処理", "close-day"))
        return _page("らくらく窓口 受付一覧", body, refresh=15)

    @app.get("/ticket/<order_id>")
    def ticket(order_id: str) -> Response | str:
        try:
            opened = console.open(order_id)
        except ConsoleError as exc:
            flash(str(exc), "err")
            return redirect(url_for("queue"))
        t = opened.ticket
        base = f"/ticket/{t.order_id}"
        buttons = {"waiting": _form(f"{base}/fee", f"手数料 {t.fee:,}円を受け取る", "fee")
                   + _form(f"{base}/void", "取り消す", "void"),
                   "paid": _form(f"{base}/print", "印刷する", "print")
                   + _form(f"{base}/void", "取り消す（返金）", "void"),
                   "printed": _form(f"{base}/hand-over", "お渡しした", "hand-over")}
        body = (f'<p>受付票 <b id="number">{escape(t.label)}</b>（{escape(t.created[11:16])} '
                f"受付）</p><p class=\"holder\" id=\"holder\">{escape(opened.holder)} 様</p>"
                f"<p>{escape(certificate_ja(t.certificate))} {t.copies}通 手数料 {t.fee:,}円"
                f' — <span id="state">{escape(describe(t))}</span></p>'
                f"{buttons.get(t.state, '')}<p><a href=\"/\" id=\"back\">受付一覧へ</a></p>")
        return _page(f"受付票 {t.label}", body)

    @app.post("/ticket/<order_id>/<action>")
    def act(order_id: str, action: str) -> Response:
        do = ACTIONS.get(action)
        if do is None:
            abort(404)
        try:
            flash(do(console, order_id).message, "ok")
        except ConsoleError as exc:
            flash(str(exc), "err")
        if action in ("hand-over", "void") or console.book.ticket(order_id) is None:
            return redirect(url_for("queue"))
        return redirect(url_for("ticket", order_id=order_id))

    @app.post("/calls/answer")
    def answer_calls() -> Response:
        console.book.answer_calls()
        return redirect(url_for("queue"))

    @app.post("/close-day")
    def close_day() -> Response:
        done = console.close_day(closes)
        flash(f"閉庁処理: {len(done)}件を取り消しました。"
              + "".join(d.message for d in done), "ok")
        return redirect(url_for("queue"))

    return app

