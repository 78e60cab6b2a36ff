"""Operator commands: `flask --app wsgi shop ...` (API.md, Operator commands)."""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from shop import demo
from shop.catalog import services as catalog
from shop.catalog.imports import import_catalog
from shop.clock import today
from shop.errors import ImportRefused, ShopError
from shop.extensions import db
from shop.inventory import services as inventory
from shop.inventory.imports import import_locations, import_stock

shop_cli = AppGroup("shop", help="Operate the OCOP shop.")


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def _run_import(function, path: str, **kwargs) -> None:
    try:
        report = function(Path(path).read_bytes(), **kwargs)
    except ImportRefused as refused:
        click.secho(f"{path}: refused, nothing was imported", fg="red", err=True)
        for line, reason in refused.rows:
            click.echo(f"  line {line}: {reason}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    if not report.changed:
        click.echo("nothing changed")


@shop_cli.command("import-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_catalog_command(path: str) -> None:
    """Import producers, products, variants and certificates from a catalog.csv."""
    _run_import(import_catalog, path, today=today())


@shop_cli.command("import-locations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_locations_command(path: str) -> None:
    """Import warehouses and sales points from a locations.csv."""
    _run_import(import_locations, path)


@shop_cli.command("import-stock")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_stock_command(path: str) -> None:
    """Record the goods receipts of a stock.csv (each file counts once)."""
    _run_import(import_stock, path)


@shop_cli.command("create-user")
@click.argument("email")
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", default="customer", show_default=True,
              help="customer | admin | producer:<tax_code> | staff:<sales_point_code>[:manager]")
@click.option("--name", default="", help="The user's full name.")
def create_user_command(email: str, password: str, role: str, name: str) -> None:
    """Create a user with one membership."""
    from shop.accounts import services as accounts

    try:
        user = accounts.register(email, password, name=name, role=role)
    except ShopError as error:
        _fail(f"error: {error.message}")
    click.echo(f"created {user.email} ({', '.join(user.roles)})")


@shop_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo catalog, sales points, stock and users (safe to run again)."""
    with click.progressbar(length=len(demo.STEPS), label="Loading demo data",
                           file=sys.stderr) as bar:
        for _step in demo.seed(today(), on_step=lambda: bar.update(1)):
            pass
    click.echo(f"demo ready: {catalog.listed_count(today())} certified products listed")
    for email, role in demo.demo_accounts():
        click.echo(f"  {email:<24} {role:<26} password: {demo.PASSWORD}")


@shop_cli.command("generate")
@click.option("--products", default=20_000, show_default=True, type=click.IntRange(min=1),
              help="Certified products (each with 1-3 variants).")
@click.option("--producers", type=click.IntRange(min=1),
              help="Producers, at most one per product.  [default: half the products]")
@click.option("--sales-points", default=500, show_default=True, type=click.IntRange(min=0),
              help="OCOP sales points, at least one per province when there are 34 or more.")
@click.option("--orders", default=300_000, show_default=True, type=click.IntRange(min=0),
              help="Online orders over the past year.")
@click.option("--movements", default=200_000, show_default=True, type=click.IntRange(min=0),
              help="Ledger lines of counter sales and adjustments at the sales points.")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed gives the same data.")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The data runs up to this day (Vietnam's).  [default: today]")
@click.option("--force", is_flag=True, help="Add to a catalog that already holds products.")
@click.option("--no-index", is_flag=True, help="Leave the search index alone (run `search reindex`).")
def generate_command(products: int, producers: int | None, sales_points: int, orders: int,
                     movements: int, seed: int, day, force: bool, no_index: bool) -> None:
    """Fill the database with a national catalog and a year of orders, for measurements."""
    from shop import generate, search
    from shop.search import documents
    from shop.web.ordering import order_settings

    sizes = generate.Sizes(products, producers, sales_points, orders, movements)
    try:
        sizes.check()
        with click.progressbar(length=sizes.steps, label="Generating", file=sys.stderr) as bar:
            report = generate.generate(sizes, seed=seed, day=day.date() if day else today(),
                                       settings=order_settings(), force=force,
                                       progress=bar.update)
    except ShopError as error:
        fields = getattr(error, "fields", {})
        problems = "; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in fields.items())
        _fail(f"error: {error.message}" + (f" ({problems})" if problems else ""))
    for table, count in sorted(report.rows.items()):
        click.echo(f"  {table:<18} {count:>10,}")
    for phase, seconds in report.seconds.items():
        click.echo(f"  {phase}: {seconds} s")
    if not no_index:
        with click.progressbar(length=documents.searchable_count(), label="Indexing products",
                               file=sys.stderr) as bar:
            count = search.reindex(progress=bar.update)
        click.echo(f"indexed {count} products")


@shop_cli.command("certificates-due")
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 100_000),
              help="Look this many days ahead.")
@click.option("--notify", is_flag=True,
              help="Email the producers the expiry notice (once per certificate, within --days).")
def certificates_due_command(days: int, notify: bool) -> None:
    """List certificates that expire within DAYS, and those already expired."""
    day = today()
    due = catalog.certificates_due(day, days)
    if not due:
        click.echo(f"no certificate expires within {days} days")
    for c in due:
        left = (c.valid_until - day).days
        when = f"expired {-left} day(s) ago" if left < 0 else f"expires in {left} day(s)"
        click.echo(f"{c.valid_until}  {when:<24} {c.stars}★  {c.product.name} "
                   f"({c.product.producer.name}, decision {c.decision_number})")
    if notify:
        _notify_expiries(day, days)


def _notify_expiries(day, days: int) -> None:
    from shop.catalog import registry

    sent = 0
    for certificate in registry.notices_due(day, days):
        try:
            to = registry.notify_expiry(certificate, actor_id=None)
        except ShopError as error:
            click.secho(f"not notified: {certificate.product.name}: {error.message}", fg="yellow", err=True)
            continue
        sent += 1
        click.echo(f"notice sent: {certificate.product.name} -> {', '.join(to)}")
    click.echo(f"{sent} expiry notice(s) sent")


@shop_cli.command("check-ledger")
def check_ledger_command() -> None:
    """Check that every stock level equals the sum of its ledger; exit 1 naming each mismatch."""
    mismatches = inventory.ledger_mismatches()
    for mismatch in mismatches:
        click.secho(str(mismatch), fg="red")
    if mismatches:
        _fail(f"{len(mismatches)} mismatch(es)")
    click.echo("ledger consistent")


@shop_cli.command("pos-token")
@click.argument("sales_point_code")
@click.option("--name", default="POS", show_default=True, help="What the device is called.")
@click.option("--manager", is_flag=True, help="The device may also apply stock counts.")
def pos_token_command(sales_point_code: str, name: str, manager: bool) -> None:
    """Print a new device token for a sales point (the token alone on standard output)."""
    from shop.inventory.models import Location
    from shop.pos import devices

    location = db.session.scalar(db.select(Location).where(
        Location.code == sales_point_code, Location.kind == "sales_point"))
    if location is None:
        _fail(f"error: no sales point with code {sales_point_code}")
    device, token = devices.create_device(location, name, can_apply_counts=manager)
    click.echo(f"device {device.id} ({device.name}) for {location.code}; "
               "the token is shown once:", err=True)
    click.echo(token)


@shop_cli.command("expire-reservations")
def expire_reservations_command() -> None:
    """Release the reservations of unpaid orders past their time (run it every few minutes)."""
    from shop.clock import utcnow
    from shop.orders import services as orders

    expired = orders.expire_unpaid(utcnow())
    for number in expired:
        click.echo(f"expired {number}")
    click.echo(f"{len(expired)} unpaid order(s) expired")


@shop_cli.command("purge-sessions")
def purge_sessions_command() -> None:
    """Delete the sessions past their idle or absolute timeout (run it hourly)."""
    from shop.accounts import sessions

    click.echo(f"{sessions.purge()} expired session(s) deleted")


def _account(email: str):
    from shop.accounts import services as accounts

    user = accounts.find_by_email(email)
    if user is None:
        _fail(f"error: no account with email {email}")
    return user


@shop_cli.command("end-sessions")
@click.argument("email")
def end_sessions_command(email: str) -> None:
    """Sign the account out on every device at once (it may sign in again)."""
    from shop.accounts import services as accounts

    ended = accounts.end_sessions(_account(email), actor_id=None)
    click.echo(f"{ended} session(s) of {email} ended")


@shop_cli.command("suspend-user")
@click.argument("email")
@click.option("--undo", is_flag=True, help="Reinstate a suspended account.")
def suspend_user_command(email: str, undo: bool) -> None:
    """Suspend an account (no sign-in, every session ends at once), or reinstate it."""
    from shop.accounts import services as accounts

    user = _account(email)
    if undo:
        accounts.reinstate(user, actor_id=None)
        click.echo(f"{email} reinstated")
    else:
        accounts.suspend(user, actor_id=None)
        click.echo(f"{email} suspended; its sessions ended")


@shop_cli.command("confirm-transfer")
@click.argument("order_number")
@click.argument("amount_text", metavar="AMOUNT_VND")
def confirm_transfer_command(order_number: str, amount_text: str) -> None:
    """Record that a bank transfer for ORDER_NUMBER arrived (AMOUNT_VND in whole đồng)."""
    from shop.money import MAX_AMOUNT_VND, read_amount
    from shop.orders import services as orders
    from shop.payments import services as payments

    try:
        amount_vnd = read_amount(amount_text)
    except ValueError:
        amount_vnd = None
    if amount_vnd is None or amount_vnd < 1:
        _fail(f"error: AMOUNT_VND is a whole number of đồng from 1 to {MAX_AMOUNT_VND}, "
              f"not {amount_text!r}")
    order = orders.by_number(order_number)
    if order is None:
        _fail(f"error: no order {order_number}")
    try:
        payments.confirm_transfer(order, amount_vnd, actor_id=None, note="confirmed by an operator")
    except ShopError as error:
        _fail(f"error: {error.message}")
    if order.payment_status != "paid":
        _fail(f"{order_number}: received {amount_vnd} but {order.total_vnd} is due; flagged")
    click.echo(f"{order_number} paid and confirmed")


@shop_cli.command("import-bank-statement")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_bank_statement_command(path: str) -> None:
    """Confirm the bank transfers of a statement CSV (date, amount_vnd, purpose); list the rest."""
    from shop.payments import bank_statement

    try:
        lines = bank_statement.import_statement(Path(path).read_bytes(), actor_id=None)
    except ImportRefused as refused:
        click.secho(f"{path}: refused, nothing was imported", fg="red", err=True)
        for line, reason in refused.rows:
            click.echo(f"  line {line}: {reason}", err=True)
        sys.exit(1)
    for line in lines:
        detail = f" ({line.message})" if line.message else ""
        click.echo(f"line {line.line}: {line.order_number or '-'} {line.amount_vnd} {line.outcome}{detail}")
    paid = sum(1 for line in lines if line.outcome == "paid")
    click.echo(f"{paid} transfer(s) confirmed, {len(lines) - paid} other row(s) listed")


@shop_cli.command("statements")
@click.option("--month", "month_text", required=True, help="The month, as YYYY-MM.")
@click.option("--out", "out_dir", default="statements", show_default=True,
              type=click.Path(file_okay=False), help="Where to write the CSV and PDF files.")
def statements_command(month_text: str, out_dir: str) -> None:
    """Write every producer's statement of MONTH as CSV and PDF into OUT."""
    from flask import current_app

    from shop.catalog.models import Producer
    from shop.invoices import statements

    try:
        month = statements.parse_month(month_text)
    except ShopError as error:
        _fail(f"error: {error.message}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    producers = db.session.scalars(db.select(Producer).order_by(Producer.id)).all()
    fee = current_app.config["PLATFORM_FEE_BASIS_POINTS"]
    written = 0
    try:
        with click.progressbar(producers, label=f"Statements {month:%Y-%m}", file=sys.stderr) as bar:
            for producer in bar:
                statement = statements.monthly(producer, month, fee_basis_points=fee)
                stem = folder / f"{producer.slug}-{month:%Y-%m}"
                _write_whole(stem.with_suffix(".csv"), statements.to_csv(statement).encode())
                _write_whole(stem.with_suffix(".pdf"), statements.to_pdf(statement))
                written += 1
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        _fail(f"error: the disk is full ({error.strerror}): {written} of {len(producers)} "
              f"statement(s) written to {folder}; free some space and run the command again")
    click.echo(f"{len(producers)} statement(s) for {month:%Y-%m} in {folder}")


def _write_whole(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a full disk leaves no truncated file)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


@shop_cli.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def backup_command(path: str | None) -> None:
    """Back up the database while the shop runs (SQLite online backup; pg_dump for PostgreSQL)."""
    from flask import current_app

    from shop import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = Path(path) if path else backup.default_path(url, current_app.config["INSTANCE_PATH"])
    try:
        if url.startswith("sqlite"):
            size = backup.backup_sqlite(url, target)
            click.echo(f"backed up to {target} ({size} bytes)")
            return
        command = backup.pg_dump_command(url, target)
        if not backup.pg_available(command):
            click.echo("pg_dump is not installed here; run it where it is:")
            click.echo(f"  {command.shown()}")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        backup.run_pg(command)
    except (ShopError, OSError) as error:
        _fail(f"error: {getattr(error, 'message', error)}")
    click.echo(f"backed up to {target} (pg_dump custom format)")


@shop_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(path: str, yes: bool) -> None:
    """Replace every table with the content of a backup made by `shop backup`."""
    from flask import current_app

    from shop import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    source = Path(path)
    try:
        if url.startswith("sqlite"):
            backup.check_sqlite_backup(url, source)
        elif not source.is_file():
            raise backup.BackupError(f"{source}: no such file")
        if not yes:
            click.confirm("This replaces every table of the database. Go on?", abort=True)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()  # no connection may hold a lock or a stale plan meanwhile
        if url.startswith("sqlite"):
            revision = backup.restore_sqlite(url, source)
            click.echo(f"restored {source} (schema revision {revision})")
            return
        command = backup.pg_restore_command(url, source)
        if not backup.pg_available(command):
            _fail(f"error: pg_restore is not installed here; run: {command.shown()}")
        backup.run_pg(command)
    except (ShopError, OSError) as error:
        _fail(f"error: {getattr(error, 'message', error)}")
    finally:
        for engine in db.engines.values():
            engine.dispose()
    click.echo(f"restored {source}")


def register(app: Flask) -> None:
    from shop.search.cli import search_cli
    from shop.tax.cli import vat_cli

    shop_cli.add_command(vat_cli)
    app.cli.add_command(shop_cli)
    app.cli.add_command(search_cli)
