"""One invitation link opened in many tabs at once, on the run's file database (SQLite file or
PostgreSQL): exactly one acceptance makes a member; the others are refused and change nothing."""

from shop.accounts import members
from shop.accounts.models import ProducerInvitation, ProducerMember, User
from shop.errors import ShopError
from shop.extensions import db
from tests import builders
from tests.inventory.test_concurrency import run_together


def test_ten_tabs_accept_one_invitation(app):
    item = builders.product("Chè", sku="CHE-1")
    owner = builders.user("owner@example.com", f"producer:{item.producer.tax_code}")
    invited = builders.user("new@example.com")
    actor = db.session.scalar(db.select(ProducerMember).where(ProducerMember.user_id == owner.id))
    _, token = members.invite(item.producer, email="new@example.com", role="staff", actor=actor,
                              secret="s")
    user_id = invited.id

    def tab():
        try:
            members.accept(token, user=db.session.get(User, user_id), secret="s")
        except ShopError as error:
            return error.code
        return "joined"

    outcomes = run_together(app, [tab] * 10)
    assert outcomes.count("joined") == 1, outcomes
    assert set(outcomes) - {"joined"} <= {"not_found", "conflict"}
    assert db.session.scalar(db.select(db.func.count()).select_from(ProducerMember).where(
        ProducerMember.user_id == user_id)) == 1
    assert db.session.scalar(db.select(ProducerInvitation)).accepted_by_id == user_id
