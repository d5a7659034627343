"""The sign-in page's registration cannot make a second identity (issue 18 point 4): it carries
the key the server drew when it rendered the form and keeps its key pair for the page's life, so
an answer lost on the way and the form sent again names the party the first request registered,
and Back and the form sent again is told the form was sent, with the identity listed."""

import uuid

from playwright.async_api import Page, Route, expect
from sqlmodel import Session, select

from db.models import Party


def parties_named(stack, name: str) -> list[str]:
    with Session(stack.engine) as session:
        return list(session.exec(select(Party.id).where(Party.display_name == name)).all())


async def fill_registration(page: Page, name: str) -> None:
    await page.select_option("#role", "owner")
    await page.fill("#display-name", name)


async def test_a_registration_whose_answer_was_lost_is_sent_again_as_the_same_party(new_context, stack):
    name = f"丢了回执的业主 {uuid.uuid4().hex[:6]}"
    page = await (await new_context()).new_page()
    lost: list[str] = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            answer = await route.fetch()  # the server registers the party...
            lost.append((await answer.json())["party"]["id"])
            await route.abort("connectionreset")  # ...and the answer never arrives
        else:
            await route.continue_()

    await page.route("**/parties", lose_the_first_answer)
    await page.goto("/signin")
    await fill_registration(page, name)
    await page.click("#register button[type=submit]")
    await expect(page.locator("#step-error")).to_be_visible()
    await page.click("#register button[type=submit]")  # the same page, the same key pair and key
    await page.wait_for_url("**/my/*")
    assert (await page.text_content("#my-party-id")).strip() == lost[0]
    assert parties_named(stack, name) == lost


async def test_back_and_register_again_is_told_the_form_was_sent(new_context, stack):
    name = f"回头再提交的业主 {uuid.uuid4().hex[:6]}"
    page = await (await new_context()).new_page()
    await page.goto("/signin")
    await fill_registration(page, name)
    await page.click("#register button[type=submit]")
    await page.wait_for_url("**/my/*")
    (first,) = parties_named(stack, name)

    await page.go_back()
    await expect(page.locator("#register")).to_be_visible()
    await fill_registration(page, name)
    await page.click("#register button[type=submit]")
    error = page.locator("#step-error")
    await expect(error).to_contain_text("这张表已经提交过")
    await expect(page.locator("body")).to_contain_text(first)  # the identity, listed on this device
    assert parties_named(stack, name) == [first]
