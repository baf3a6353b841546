"""Issue 14's story end to end, at phone and desktop sizes, each person in their own browser.

The community team starts "Tea around the world / 世界各地的茶"; a creator reading 中文 invites
a creator in London to co-author a #tea draft with a product tag; both accept and agree; the
creator enters the note and it ranks on the event's leaderboards; it reaches the Following
feeds of a follower of each author; a shopper in the US with "always translate" on reads it
translated, asks China a question, gets the creator's answer marked "From China" and picks
it as the best (the creator is told), and buys the tagged tea in the Stripe sandbox, the
sale credited to both authors, each of whom sees it shared in their sales.

The cast, the store and the draft are made through services: the story is not about them.
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import Order, OrderLine, PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import engagement, notes
from app.services.social.product_tags import TagInput
from tests.checkout_factories import address_for
from tests.e2e.browser import Page, expect
from tests.e2e.community import EVENT_TITLE, answer_question, ask_question, start_tea_event
from tests.e2e.session import PASSWORD, another_person, log_in, no_sideways_scroll
from tests.e2e.shops import (
    add_from_note_tag,
    fill_shipping_address,
    open_for_business,
    open_store,
    pay_with_the_sandbox_card,
    stocked_product,
)
from tests.notes_factories import uploads


@pytest.fixture
def cast(live_server):
    """The community team, two creators, a follower of each, a tea store, the draft."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        people = {role: User(email=f"{role}-{tag}@example.com", password_hash=hashed,
                             display_name=f"{name}{tag}", home_country=country,
                             email_verified_at=utcnow(), **prefs)
                  for role, name, country, prefs in (
                      ("team", "Kai", "HK", {"locale": "en", "time_zone": "Asia/Shanghai"}),
                      ("creator", "小红", "CN", {"locale": "zh"}),
                      ("partner", "Sophie", "GB", {"locale": "en"}),
                      ("reader", "阿明", "CN", {"locale": "zh"}),
                      ("shopper", "Mia", "US", {"locale": "en", "currency": "USD",
                                                "ship_to_country": "US",
                                                "always_translate": True}),
                      ("tea_owner", "Lin", "CN", {}))}
        people["team"].platform_roles = [PlatformRole(role="community", markets=[],
                                                      languages=[])]
        db.session.add_all(people.values())
        db.session.flush()
        engagement.follow_user(people["reader"], people["creator"].id)
        engagement.follow_user(people["shopper"], people["partner"].id)
        store = open_store(people["tea_owner"], f"Hangzhou Tea {tag}", f"hz-tea-{tag}",
                           "CNY", "CN")
        product_title = f"Dragon Well tea {tag}"
        tea_id = stocked_product(people["tea_owner"], store, title=product_title,
                                 sku=f"TEA-{tag}", price="89.00", hs_code="090210",
                                 weight_grams=200, stock=10)
        draft = notes.create_note(people["creator"], title=f"西湖龙井 {tag}",
                                  body=f"明前龙井，豆香很浓 #tea{tag}", images=uploads(1),
                                  product_tags=[TagInput(0, 40, 50, tea_id)],
                                  publish=False)
        commit()
        found = {role: user.email for role, user in people.items()}
        found.update(tag=tag, topic=f"tea{tag}", note_id=draft.id, title=draft.title,
                     product=product_title, creator_id=people["creator"].id,
                     partner_id=people["partner"].id,
                     creator_name=people["creator"].display_name,
                     partner_name=people["partner"].display_name,
                     shopper_id=people["shopper"].id)
        db.session.remove()
    return found


def test_two_sides_meet_in_an_event_a_cocreated_note_a_question_and_a_purchase(
        page: Page, browser, live_server, live_stripe_sandbox, chat_model, cast):
    note_url = f"/notes/{cast['note_id']}"
    credit = f"{cast['creator_name']} & {cast['partner_name']}"

    # The community team starts the event in the admin area.
    log_in(page, cast["team"])
    event_url = start_tea_event(page, cast["topic"])
    expect(page.locator("h1")).to_have_text(EVENT_TITLE["en"])

    # The creator, reading 中文, invites the creator in London to co-author the draft.
    creator = another_person(browser, live_server.url, page, locale="zh-CN")
    log_in(creator, cast["creator"])
    creator.goto(note_url)
    invite = creator.get_by_test_id("coauthor-invite-form")
    invite.locator("input[name=handle]").fill(f"@{cast['partner_name']}")
    with creator.expect_navigation():
        invite.locator("button[type=submit]").click()
    expect(creator.get_by_test_id("coauthor-status")).to_contain_text(
        f"等待 {cast['partner_name']} 接受")

    # She hears of it, accepts, adds her part in English and agrees.
    partner = another_person(browser, live_server.url, page)
    log_in(partner, cast["partner"])
    partner.goto("/notifications")
    notice = partner.locator("li", has=partner.get_by_test_id("coauthor-notice")).first
    expect(notice).to_contain_text("invited you to co-author a note")
    with partner.expect_navigation():
        notice.get_by_role("link", name=cast["title"]).click()
    with partner.expect_navigation():
        partner.get_by_test_id("coauthor-accept").click()
    form = partner.get_by_test_id("contribution-form")
    form.locator("input[name=title]").fill("Tea around the world: London")
    form.locator("textarea[name=body]").fill("Earl Grey by a rainy window")
    with partner.expect_navigation():
        form.locator("button[type=submit]").click()
    with partner.expect_navigation():
        partner.get_by_test_id("coauthor-agree").click()
    expect(partner.get_by_test_id("coauthor-status")).to_contain_text("You agreed to publish.")

    # The creator agrees too: the note goes out credited to both.
    creator.goto(note_url)
    expect(creator.get_by_test_id("coauthor-part")).to_contain_text("Earl Grey")
    with creator.expect_navigation():
        creator.get_by_test_id("coauthor-agree").click()
    expect(creator.get_by_test_id("coauthor-credit")).to_contain_text(
        f"由 {cast['creator_name']} 和 {cast['partner_name']} 合著")

    # She enters it in the event; it ranks on the China and the combined leaderboards.
    creator.goto(event_url)
    expect(creator.locator("h1")).to_have_text(EVENT_TITLE["zh"])
    creator.get_by_test_id("entry-note").select_option(label=cast["title"])
    with creator.expect_navigation():
        creator.get_by_test_id("enter-note").click()
    expect(creator.locator(".flash")).to_contain_text("你的笔记已参赛")
    ranked = f"li[data-note-id='{cast['note_id']}']"
    for board in ("china", "combined"):
        expect(creator.get_by_test_id(f"leaderboard-{board}").locator(ranked)).to_have_count(1)
    no_sideways_scroll(creator)

    # Each author's follower finds it in Following, credited to both.
    card = f"article.note-card[data-note-id='{cast['note_id']}']"
    reader = another_person(browser, live_server.url, page, locale="zh-CN")
    log_in(reader, cast["reader"])
    reader.goto("/?tab=following")
    expect(reader.locator(card)).to_contain_text(credit)
    reader.context.close()
    shopper = another_person(browser, live_server.url, page)
    log_in(shopper, cast["shopper"])
    shopper.goto("/?tab=following")
    expect(shopper.locator(card)).to_contain_text(credit)

    # The shopper always translates: the Chinese half arrives in English as the page loads.
    with shopper.expect_navigation():
        shopper.locator(card).locator("a.note-card-link").click()
    translation = shopper.get_by_test_id("translation").first
    expect(translation).to_contain_text(f"<English> {cast['title']}")
    expect(translation).to_contain_text("<English> 明前龙井，豆香很浓")
    expect(shopper.get_by_test_id("coauthor-part")).to_contain_text("Earl Grey")
    no_sideways_scroll(shopper)

    # She asks China; the creator answers; the answer comes first, marked and translated.
    question_url = ask_question(
        shopper, title=f"Where do I find Longjing like this? {cast['tag']}",
        text=f"Going to Hangzhou in spring #{cast['topic']}", to="china")
    answer_question(creator, question_url, "去龙井村，买明前的西湖龙井")
    shopper.goto(question_url)
    answer = shopper.locator("li.comment:not(.reply)").first
    expect(answer.get_by_test_id("addressed-side")).to_have_text("From China")
    expect(answer.get_by_test_id("translation")).to_contain_text(
        "<English> 去龙井村，买明前的西湖龙井")
    # She picks it as the best answer; the creator is told, in Chinese.
    with shopper.expect_navigation():
        answer.get_by_test_id("pick-best").click()
    creator.goto("/notifications")
    expect(creator.get_by_test_id("best-answer-notice").first).to_contain_text(
        "把你的回答选为问题的最佳回答")

    # And buys the tea through the note's tag, paying in dollars in the sandbox.
    price = add_from_note_tag(shopper, cast["note_id"], cast["product"])
    assert "$" in price, price  # in dollars, not the store's yuan
    shopper.goto("/cart")
    with shopper.expect_navigation():
        shopper.get_by_test_id("checkout").click()
    fill_shipping_address(shopper, address_for("US"))
    with shopper.expect_navigation():
        shopper.get_by_test_id("get-quote").click()
    expect(shopper.get_by_test_id("quote-line")).to_contain_text(f"1 × {cast['product']}")
    with shopper.expect_navigation():
        shopper.get_by_test_id("pay").click()
    pay_with_the_sandbox_card(shopper)
    expect(shopper).to_have_url(re.compile(r"/checkout/quotes/\d+/complete$"))
    expect(shopper.get_by_test_id("payment-state")).to_have_attribute("data-state",
                                                                      "succeeded")
    expect(shopper.locator("h1")).to_have_text("Thank you! Your order is placed.")
    expect(shopper.get_by_test_id("placed-order")).to_have_count(1)
    no_sideways_scroll(shopper)

    # Each author sees the sale among the sales through their notes, shared with the other.
    for author, other in ((partner, cast["creator_name"]), (creator, cast["partner_name"])):
        author.goto("/account/sales")
        sold = author.get_by_test_id("my-sales-notes").locator(
            f"li[data-note-id='{cast['note_id']}']")
        expect(sold.get_by_test_id("shared-sale")).to_contain_text(other)
        no_sideways_scroll(author)
    for person in (creator, partner, shopper):
        person.context.close()

    # The sale is attributed to the note and credited to both of its authors.
    with live_server.app.app_context():
        line = db.session.scalars(select(OrderLine).join(Order).where(
            Order.user_id == cast["shopper_id"])).one()
        assert (line.note_id, line.creator_id, line.cocreator_id) == (
            cast["note_id"], cast["creator_id"], cast["partner_id"])
        db.session.remove()
