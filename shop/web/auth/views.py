import time
from datetime import timedelta
from urllib.parse import urlsplit

import segno
from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from shop import mail
from shop.accounts import reset, twostep
from shop.accounts import services as accounts
from shop.accounts.models import User
from shop.errors import RateLimited, ShopError
from shop.extensions import db
from shop.orders import carts
from shop.web import links, sessions
from shop.web.auth import bp
from shop.web.auth.forms import (
    ChangePasswordForm,
    DisableTwoStepForm,
    EnableTwoStepForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    TwoStepForm,
)
from shop.web.security import start_session_clock


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if not target.startswith("/") or parts.netloc or parts.scheme or "\\" in target:
        return default
    return target


CART_KEY = "cart"
PENDING_USER, PENDING_AT, PENDING_NEXT = "two_step_user", "two_step_at", "two_step_next"
PENDING_SECONDS = 300
SETUP_SECRET = "two_step_secret"

PASSWORD_MESSAGES = {
    "too_short": lambda: _("The password needs at least 8 characters."),
    "too_long": lambda: _("The password may have at most 128 characters."),
    "common": lambda: _("This password is among the most common ones. Please choose another."),
}


def _start_session(user) -> None:
    """A fresh session at sign-in, so nothing set before it survives (session fixation);
    the guest's cart joins the customer's own."""
    guest_cart = session.get(CART_KEY)
    session.clear()
    sessions.renew()  # a new id: the one from before sign-in is ended
    session.permanent = True
    login_user(user)
    start_session_clock()
    cart = carts.join(guest_cart, user.id)
    if cart is not None:
        session[CART_KEY] = cart.token


def _limits() -> accounts.SignInLimits:
    config = current_app.config
    return accounts.SignInLimits(per_account=config["SIGN_IN_FAILURES_PER_ACCOUNT"],
                                 per_address=config["SIGN_IN_FAILURES_PER_ADDRESS"],
                                 window=timedelta(seconds=config["SIGN_IN_WINDOW_SECONDS"]))


def _throttled(form, template: str):
    flash(_("Too many failed attempts. Please wait 15 minutes and try again."), "error")
    return render_template(template, form=form), 429


def _tell_password_changed(user: User) -> None:
    """Email the owner that the password changed, with a way back if it was not them."""
    mail.send(user.email, _("Your password was changed"), "password_changed", user=user,
              link=links.external_url("auth.forgot_password"))


def _password_error(error: ShopError) -> str:
    message = PASSWORD_MESSAGES.get(error.details.get("fields", {}).get("password"))
    return message() if message else error.message


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data,
                                         address=request.remote_addr or "", limits=_limits())
        except RateLimited:
            return _throttled(form, "auth/login.html")
        if user is not None and user.totp_secret:
            session[PENDING_USER], session[PENDING_AT] = user.id, int(time.time())
            session[PENDING_NEXT] = _safe_next(url_for("auth.account"))
            return redirect(url_for("auth.two_step"))
        if user is not None:
            _start_session(user)
            return redirect(_safe_next(url_for("auth.account")))
        flash(_("Wrong email or password."), "error")
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def _pending_user() -> User | None:
    started = session.get(PENDING_AT)
    if not isinstance(started, int) or time.time() - started > PENDING_SECONDS:
        return None
    user = db.session.get(User, session.get(PENDING_USER) or 0)
    return user if user is not None and user.is_active and user.totp_secret else None


@bp.route("/login/two-step", methods=["GET", "POST"])
def two_step():
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "error")
        return redirect(url_for("auth.login"))
    form = TwoStepForm()
    if form.validate_on_submit():
        try:
            ok = accounts.verify_second_step(user, form.code.data, address=request.remote_addr or "",
                                             limits=_limits())
        except RateLimited:
            return _throttled(form, "auth/two_step.html")
        if ok:
            target = session.get(PENDING_NEXT) or url_for("auth.account")
            _start_session(user)
            return redirect(target)
        flash(_("That code is not right. Try the newest code from the app."), "error")
    status = 422 if form.is_submitted() else 200
    return render_template("auth/two_step.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.name.data)
        except ShopError as error:
            if error.code == "conflict":
                form.email.errors.append(_("An account with this email already exists."))
            elif "password" in error.details.get("fields", {}):
                form.password.errors.append(_password_error(error))
            else:
                form.email.errors.append(error.message)
        else:
            _start_session(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("auth.account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    accounts.record_sign_out(current_user, address=request.remote_addr or "")
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("storefront.home"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the account, this one and those on other devices."""
    accounts.end_sessions(current_user, actor_id=current_user.id, address=request.remote_addr or "")
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user,
                           two_step_offered=twostep.eligible(current_user),
                           open_sessions=sessions.open_sessions(current_user.id))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except ShopError as error:
            if "current" in error.details.get("fields", {}):
                form.current.errors.append(_("The current password is wrong."))
            else:
                form.password.errors.append(_password_error(error))
        else:
            _start_session(current_user._get_current_object())  # other sessions end, not this one
            _tell_password_changed(current_user)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        issued = reset.request_reset(form.email.data)
        if issued is not None:
            user, token = issued
            link = links.external_url("auth.reset_password", token=token)
            mail.send(user.email, _("Reset your password"), "password_reset", user=user, link=link,
                      minutes=int(reset.RESET_LIFETIME.total_seconds() // 60))
        # the same answer whether or not the account exists
        flash(_("If an account uses this email, we have sent it a link to choose a new "
                "password. The link works once, within an hour."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if reset.valid_token(token) is None:
        flash(_("This link is invalid, already used or expired. Ask for a new one."), "error")
        return render_template("auth/forgot_password.html", form=ForgotPasswordForm()), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset.reset_password(token, form.password.data)
        except ShopError as error:
            form.password.errors.append(_password_error(error))
        else:
            _tell_password_changed(user)
            flash(_("Your password is changed. Please sign in with it."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    response = make_response(render_template("auth/reset_password.html", form=form), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def two_step_setup():
    if not twostep.eligible(current_user):
        flash(_("Two-step verification is for producer, sales-point manager and admin accounts."),
              "error")
        return redirect(url_for("auth.account"))
    if current_user.totp_secret:
        return render_template("auth/two_step_setup.html", enabled=True, form=DisableTwoStepForm(),
                               codes_left=twostep.recovery_codes_left(current_user))
    secret = session.get(SETUP_SECRET) or twostep.new_secret()
    session[SETUP_SECRET] = secret
    form = EnableTwoStepForm()
    if form.validate_on_submit():
        try:
            codes = twostep.enable(current_user, secret, form.code.data)
        except ShopError:
            form.code.errors.append(_("The code does not match. Check the time on your phone."))
        else:
            _start_session(current_user._get_current_object())  # other sessions end, not this one
            response = make_response(render_template("auth/recovery_codes.html", codes=codes))
            response.headers["Cache-Control"] = "no-store"
            return response
    uri = twostep.provisioning_uri(current_user, secret)
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#1d1d1b"))
    status = 422 if form.is_submitted() else 200
    response = make_response(render_template("auth/two_step_setup.html", enabled=False, form=form,
                                             qr=qr, secret=secret), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/two-step/disable")
@login_required
def two_step_disable():
    form = DisableTwoStepForm()
    if not form.validate_on_submit() or not current_user.totp_secret:
        return redirect(url_for("auth.two_step_setup"))
    try:
        twostep.disable(current_user, form.password.data)
    except ShopError:
        flash(_("The password is wrong."), "error")
        return redirect(url_for("auth.two_step_setup"))
    _start_session(current_user._get_current_object())  # other sessions end, not this one
    flash(_("Two-step verification is off."), "success")
    return redirect(url_for("auth.account"))
