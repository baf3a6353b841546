"""Account entry points. Each route parses its form, calls one service and commits."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from app.core.database import read_apart
from app.core.transaction import commit, rollback
from app.extensions import limiter
from app.services.accounts import users as accounts
from app.services.accounts.preferences import adopt_guest_preferences, keep_after_logout
from app.services.checkout.cart import GUEST_CART_SESSION_KEY, merge_guest_cart
from app.services.errors import DomainError, RateLimited, Unauthorized, ValidationFailed
from app.services.signed_links import InvalidLink
from app.services.social.age_gate import ADULT_SESSION_KEY, confirm_adult
from app.web.forms import reject_form, safe_next_url
from app.web.links import site_links
from app.web.login_devices import device_from_request, remember_device


def _start_session(user, remember: bool) -> None:
    """Rotate the session on log-in; only the choices, the guest cart (merged) and an
    age confirmation (kept on the account: the same person confirmed it in this browser)
    survive.
    """
    kept_preferences = session.get("preferences")
    guest_cart = session.get(GUEST_CART_SESSION_KEY)
    confirmed_adult = ADULT_SESSION_KEY in session
    session.clear()
    session.permanent = True  # clear() dropped the flag; the lifetime stays bounded
    if kept_preferences:
        session["preferences"] = kept_preferences
    adopt_guest_preferences(user, session)
    merge_guest_cart(user, guest_cart)
    if confirmed_adult:
        session[ADULT_SESSION_KEY] = confirm_adult(user).date().isoformat()
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    """Create an account; the answer is the same whether or not the address is taken."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.email.data, form.password.data,
                                          form.display_name.data, links=site_links)
        except DomainError as exc:
            reject_form(form, exc)
            return render_template("auth/signup.html", form=form), 422
        if user is not None:
            # The guest's choices become the new account's. A copy of the session is
            # passed so this browser's own choices stay as they are either way.
            adopt_guest_preferences(user, dict(session))
        commit()
        # Not logged in straight away: that would tell a new address from a taken one.
        flash(_("We sent a message to %(email)s. Open it to confirm your address, then "
                "log in.", email=form.email.data.strip()), "success")
        # The first login continues to the optional step of picking a few topics.
        return redirect(url_for("auth.login", next=url_for("notes.pick_topics")))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password (throttled per account and browser or address)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        device = device_from_request()
        # The password hash is checked before the write transaction, not holding its lock.
        ip = request.remote_addr or "unknown"
        checked = read_apart(lambda: accounts.check_password(
            form.email.data, form.password.data, ip, device=device))
        try:
            user = accounts.authenticate(form.email.data, form.password.data, ip,
                                         device=device, checked=checked)
        except RateLimited as exc:
            form.form_errors.append(exc.message)
            retry = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) \
                else {}
            return render_template("auth/login.html", form=form), 429, retry
        except Unauthorized as exc:
            form.form_errors.append(exc.message)
            return render_template("auth/login.html", form=form), 401
        _start_session(user, remember=form.remember.data)
        # What the answer needs from the user is read before the commit expires it: after,
        # reading it again would cost a statement and, on SQLite, a second write lock.
        name = user.display_name
        response = remember_device(redirect(safe_next_url(form.next.data)), device, user)
        commit()
        flash(_("Welcome back, %(name)s.", name=name), "success")
        return response
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out everywhere: the session version changes, so older sessions end too."""
    user = current_user._get_current_object()
    accounts.end_all_sessions(user)
    commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember cookie for deletion in the session
    keep_after_logout(user, session)  # the page keeps speaking the user's language
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    """Confirm an e-mail address from the link we sent."""
    try:
        user = accounts.verify_email(token)
    except InvalidLink as exc:
        rollback()
        return render_template("auth/link_problem.html", message=exc.message,
                               kind="verify"), 400
    never_logged_in = user.last_login_at is None
    commit()
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    if never_logged_in and not current_user.is_authenticated:
        # A new account: log in, then pick a few topics (or skip).
        return redirect(url_for("auth.login", next=url_for("notes.pick_topics")))
    return redirect(url_for("main.index"))


@bp.post("/verify/resend")
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    """Send the verification link again."""
    if current_user.is_email_verified:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        accounts.send_verification_email(current_user, links=site_links)
        commit()
        flash(_("We sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("account.profile"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, links=site_links)
        commit()
        flash(_("If an account uses that address, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an e-mailed link (valid once, for one hour)."""
    try:
        accounts.user_for_reset_token(token)
    except InvalidLink as exc:
        return render_template("auth/link_problem.html", message=exc.message,
                               kind="reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            reject_form(form, exc)
            return render_template("auth/reset.html", form=form), 422
        commit()
        logout_user()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    if form.is_submitted():
        return render_template("auth/reset.html", form=form), 422
    return render_template("auth/reset.html", form=form)

