"""Signing in and out in a real browser: the form, a wrong password, a lockout, sign-out,
CSRF refused, the cookie never sent from another site, and a single sign-on round trip
through a real OpenID Connect provider (panva's oidc-provider, started by the fixtures).
"""

from __future__ import annotations

import pytest
from apiserver import PASSWORD
from browserkit import db_rows

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser-server")]


def fill_sign_in(page, name: str, password: str) -> None:
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#signin-submit")


def test_sign_in_wrong_password_then_sign_out(page, web) -> None:
    page.goto(f"{web.url}/console#gaps")
    page.wait_for_url("**/signin?next=*")
    assert page.evaluate("document.activeElement.id") == "name"
    assert page.locator("h1").count() == 1

    fill_sign_in(page, "carl.curator", "not my password")
    page.wait_for_selector("#signin-error:not([hidden])")
    assert "Wrong name or password" in page.inner_text("#signin-error")
    assert page.input_value("#password") == ""  # never kept, never shown
    assert page.evaluate("document.activeElement.id") == "password"

    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_url(f"{web.url}/console#gaps")  # back where the person was going
    page.wait_for_selector(".column[data-status=open]")
    assert "Carl" in page.inner_text("#user-slot") or "carl" in page.inner_text("#user-slot")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["kms_session"]["httpOnly"] and cookies["kms_session"]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # no script can read the session

    page.click("#signout")
    page.wait_for_url("**/signin?signedout=1")
    page.wait_for_selector("#signin-notice:not([hidden])")
    assert "signed out" in page.inner_text("#signin-notice")
    page.goto(f"{web.url}/console")
    page.wait_for_url("**/signin?next=*")


def test_lockout_is_explained(page, web) -> None:
    page.goto(f"{web.url}/signin")
    for i in range(5):
        fill_sign_in(page, "lena.lockout", f"guess {i}")
        page.wait_for_function("() => !document.querySelector('#signin-submit').disabled")
    fill_sign_in(page, "lena.lockout", PASSWORD)
    page.wait_for_selector("#signin-error:not([hidden])")
    page.wait_for_function(
        "() => document.querySelector('#signin-error').textContent.includes('locked')"
    )
    assert "minute" in page.inner_text("#signin-error")
    rows = db_rows(web, "select count(*) from auditlog where action = 'auth.locked'")
    assert rows[0][0] >= 1


def test_a_change_without_the_csrf_token_is_refused(session_page, web) -> None:
    page = session_page("rita.rep")
    page.goto(f"{web.url}/")
    page.wait_for_selector("#user-slot .who")
    statuses = page.evaluate(
        """async () => {
          const body = JSON.stringify({query: "price", log: false});
          const headers = {"Content-Type": "application/json"};
          const bare = await fetch("/v1/search", {method: "POST", headers, body});
          const session = await (await fetch("/v1/auth/session")).json();
          const withToken = await fetch("/v1/search", {method: "POST", body,
            headers: {...headers, "X-CSRF-Token": session.csrf}});
          return [bare.status, (await bare.json()).error.code, withToken.status];
        }"""
    )
    assert statuses == [403, "csrf", 200]


def test_the_session_cookie_is_not_sent_from_another_site(session_page, web) -> None:
    """``localhost`` and ``127.0.0.1`` are different sites: a link from a page on one to the
    other arrives without the SameSite=Strict cookie; typed in, the same URL is signed in."""
    page = session_page("rita.rep")
    other_site = web.url.replace("127.0.0.1", "localhost")
    page.goto(f"{other_site}/signin")
    page.evaluate("url => { location.href = url; }", f"{web.url}/v1/auth/session")
    page.wait_for_url(f"{web.url}/v1/auth/session")
    assert '"unauthorized"' in page.inner_text("body")
    page.goto(f"{web.url}/v1/auth/session")
    assert '"rita.rep"' in page.inner_text("body")


def test_single_sign_on_round_trip(page, web) -> None:
    page.goto(f"{web.url}/signin?next=/console")
    page.wait_for_selector("#sso:not([hidden])")
    page.click("#sso-link")
    # the provider's own sign-in page (any name; the accounts give the claims)
    page.wait_for_url(f"{web.oidc_issuer}/**")
    page.fill("input[name=login]", "ada.curator")
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_selector("button[type=submit]")  # the consent prompt
    page.click("button[type=submit]")
    page.wait_for_url(f"{web.url}/console")
    page.wait_for_selector("#assets-table tbody tr")  # a curator, from the role claim
    session = page.evaluate("async () => (await fetch('/v1/auth/session')).json()")
    assert session["method"] == "oidc" and session["role"] == "curator"
    assert session["teams"] == ["emea-enterprise"]  # from the groups claim
    rows = db_rows(web, "select name, oidc_subject from useraccount where name = 'ada.curator'")
    assert rows == [("ada.curator", f"{web.oidc_issuer} ada.curator")]
    audit = db_rows(web, "select detail from auditlog where action = 'auth.signin'")
    assert any('"oidc"' in str(row[0]) for row in audit)
    page.click("#signout")
    page.wait_for_url("**/signin?signedout=1")


def sso_at_provider(page, web, login: str) -> None:
    """From /signin to the provider, signed in there as ``login`` and consenting."""
    page.goto(f"{web.url}/signin?next=/")
    page.wait_for_selector("#sso:not([hidden])")
    page.click("#sso-link")
    page.wait_for_url(f"{web.oidc_issuer}/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_selector("button[type=submit]")


def test_a_sign_on_finished_in_another_browser_is_refused(page, web) -> None:
    """Login CSRF: the callback must come back to the browser that started the flow."""
    sso_at_provider(page, web, "bo.rep")
    flow_cookies = [c for c in page.context.cookies() if c["name"] == "kms_sso_flow"]
    assert flow_cookies and flow_cookies[0]["httpOnly"]
    page.context.clear_cookies(name="kms_sso_flow")  # as if another browser came back
    page.click("button[type=submit]")
    page.wait_for_url("**/signin?error=sso")
    page.wait_for_selector("#signin-notice:not([hidden])")
    assert "did not complete" in page.inner_text("#signin-notice")
    assert db_rows(web, "select count(*) from useraccount where name = 'bo.rep'") == [(0,)]


def test_an_admin_adds_a_person_in_the_console_who_then_signs_in(session_page, web) -> None:
    console = session_page("ada.admin")
    console.goto(f"{web.url}/console#people")
    console.wait_for_selector("#people-table tbody tr")
    console.click("#add-person")
    console.fill("#pd-name", "nia.new")
    console.select_option("#pd-role", "curator")
    console.fill("#pd-teams", "emea-enterprise")
    console.fill("#pd-password", "a long enough password")
    console.click("#person-dialog button[type=submit]")
    console.locator("#people-table tr[data-user='nia.new']").wait_for()
    # a key for her scripts, shown this once
    console.click("#new-key")
    console.fill("#kd-user", "nia.new")
    console.select_option("#kd-role", "curator")
    console.click("#key-dialog button[type=submit]")
    key = console.input_value("#kd-key")
    assert key.startswith("kms_")

    nia = session_page(None)
    nia.goto(f"{web.url}/signin?next=/console")
    fill_sign_in(nia, "nia.new", "a long enough password")
    nia.wait_for_url(f"{web.url}/console")
    nia.wait_for_selector("#assets-table tbody tr")
    assert nia.locator("#tabs a[data-tab=people]").is_hidden()  # curators see no People
