from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import services as accounts
from shop.errors import ShopError
from shop.orders import carts
from shop.web.auth import bp
from shop.web.auth.forms import LoginForm, RegisterForm


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if not target.startswith("/") or parts.netloc or parts.scheme or "\\" in target:
        return default
    return target


CART_KEY = "cart"


def _start_session(user) -> None:
    """A fresh session at sign-in, so nothing set before it survives (session fixation);
    the guest's cart joins the customer's own."""
    guest_cart = session.get(CART_KEY)
    session.clear()
    session.permanent = True
    login_user(user)
    cart = carts.join(guest_cart, user.id)
    if cart is not None:
        session[CART_KEY] = cart.token


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(_safe_next(url_for("auth.account")))
        flash(_("Wrong email or password."), "error")
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, form.name.data)
        except ShopError as error:
            form.email.errors.append(_("An account with this email already exists.")
                                     if error.code == "conflict" else error.message)
        else:
            _start_session(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("auth.account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("storefront.home"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user)
