"""Result cards through the real client: every image, restarts, old results, Before / after,
New mask…, History, and live job cards."""

from __future__ import annotations

import itertools
import time

import pytest

from bot.images.compare import expected_size
from bot.runtime.emulator.state import StoredMessage
from tests.support.files import mask as mask_image
from tests.support.files import png_bytes

from .exterior_env import exterior_bot
from .flow import (
    CARD_LABELS,
    VARY_LABELS,
    buttons,
    card_text,
    create,
    embed_text,
    fetch_image,
    gallery_urls,
    is_result_of,
    started_id,
)


async def finished(emulator, room_type="POOL"):
    handle = await create(emulator, room_type)
    row = started_id(await handle.wait_followup(timeout=10))
    return row, await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)


@pytest.mark.asyncio
async def test_card_holds_every_image_and_varies_after_a_restart(
    emulator, bot_runner, sandbox, settings
):
    sandbox.state.config.images_per_generation = 3
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        # the job card links forward to the result
        await emulator.wait_for_message(
            predicate=lambda m: f"/{card['id']})" in embed_text(m) and "Jump to" in embed_text(m)
        )
    names = [a["filename"] for a in card["attachments"]]
    assert names == [f"exterior-{row}-{i}.png" for i in range(3)]
    # every uploaded file is shown, through the gallery only
    assert gallery_urls(card) == [a["url"] for a in card["attachments"]]
    assert [b["label"] for b in buttons(card)] == [*VARY_LABELS, *CARD_LABELS]
    assert "asked by <@" in card_text(card) and "Original" in card_text(card)
    assert f"[Job card](https://discord.com/channels/{emulator.guild.id}/" in card_text(card)

    async with exterior_bot(bot_runner, settings):  # a new process: nothing in memory
        click = await emulator.click_button(card, f"exterior:vary:{row}:PETANQUE")
        new_row = started_id(await click.wait_followup(timeout=10))
        varied = await emulator.wait_for_message(predicate=is_result_of(new_row), timeout=10)
    assert len(gallery_urls(varied)) == 3
    assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_an_old_embed_style_result_still_varies(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        row, _ = await finished(emulator)
        # a result as the bot posted them before cards: an embed and one row of Vary buttons
        old = StoredMessage(
            emulator.state.snowflake(), emulator.channel.id, emulator.guild.id,
            emulator.bot_user, embeds=[{"title": f"Pool — generation #{row}"}],
            components=[{"type": 1, "components": [
                {"type": 2, "style": 1, "label": label, "custom_id": f"exterior:vary:{row}:{t}"}
                for label, t in zip(VARY_LABELS[:3], ("POOL", "TERRACE", "PETANQUE"), strict=True)
            ]}],
        )  # fmt: skip
        emulator.state.store_message(old)
        click = await emulator.click_button(old.id, f"exterior:vary:{row}:TERRACE")
        new_row = started_id(await click.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(new_row), timeout=10)


@pytest.mark.asyncio
async def test_before_after_answers_privately_in_time_and_can_be_shared(
    emulator, bot_runner, sandbox, settings
):
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        click = await emulator.click_button(card, f"exterior:card:compare:{row}")
        reply = await click.wait_followup(timeout=3)
        assert time.monotonic() - click.created_at < 3.0
        assert reply["flags"] & 64  # only the clicker sees it
        (picture,) = reply["attachments"]
        image = await fetch_image(picture["url"])
        assert image.size == expected_size((512, 512), (512, 512), 512)
        assert picture["size"] <= emulator.upload_limit
        # the "after" is the card's own upload (the API's URLs expire), read from Discord
        assert (int(card["attachments"][0]["id"]), 200) in emulator.cdn.downloads
        before = len(emulator.messages_in())

        share = await emulator.click_button(reply, f"exterior:card:share:{row}")
        assert "Posted" in (await share.wait_followup(timeout=10))["content"]
        posted = emulator.messages_in()[-1]
        assert len(emulator.messages_in()) == before + 1
        assert f"generation #{row}" in posted["content"]
        assert posted["attachments"][0]["size"] == picture["size"]


def _upload(message: dict) -> dict:
    return next(c["component"] for c in message["components"] if c["component"]["type"] == 19)


@pytest.mark.asyncio
async def test_new_mask_modal_varies_with_the_uploaded_mask(
    emulator, bot_runner, sandbox, settings
):
    new_mask = mask_image((512, 512), box=(40, 300, 300, 500))
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        click = await emulator.click_button(card, f"exterior:card:newmask:{row}")
        assert (await click.wait_ack()).type == 9  # the modal is the first answer
        upload = _upload(click.modal)
        submit = await emulator.submit_modal(
            click,
            {upload["custom_id"]: [("new-mask.png", png_bytes(new_mask), "image/png")],
             "type": ["TERRACE"]},
        )  # fmt: skip
        new_row = started_id(await submit.wait_followup(timeout=10))
        await emulator.wait_for_message(predicate=is_result_of(new_row), timeout=10)

        (body,) = [b for e, b in sandbox.state.requests if e == "generate-variation"]
        assert body["room_type"] == "TERRACE"
        received = await fetch_image(body["mask_url"])  # the bot's own copy, not the upload
        assert received.convert("L").tobytes() == new_mask.tobytes()
        assert "new-mask" not in body["mask_url"]

        again = await emulator.click_button(card, f"exterior:card:newmask:{row}")
        await again.wait_ack()
        bad = await emulator.submit_modal(
            again, {upload["custom_id"]: [("notes.png", b"not an image", "image/png")]}
        )
        sentence = (await bad.wait_followup(timeout=10))["content"]
        assert sentence.startswith("The mask is not a readable ") and sentence.endswith("image.")
        assert sentence.count(".") == 1  # one sentence
        assert sandbox.state.calls["generate-variation"] == 1


@pytest.mark.asyncio
async def test_history_lists_the_family_in_order(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        rows = []
        for room_type in ("TERRACE", "PETANQUE"):
            click = await emulator.click_button(card, f"exterior:vary:{row}:{room_type}")
            rows.append(started_id(await click.wait_followup(timeout=10)))
            varied = await emulator.wait_for_message(predicate=is_result_of(rows[-1]), timeout=10)
        grandchild = await emulator.click_button(varied, f"exterior:vary:{rows[-1]}:POOL")
        rows.append(started_id(await grandchild.wait_followup(timeout=10)))
        await emulator.wait_for_message(predicate=is_result_of(rows[-1]), timeout=10)

        history = await emulator.click_button(varied, f"exterior:card:family:{rows[1]}")
        text = (await history.wait_followup(timeout=10))["content"]
    lines = text.splitlines()[1:]
    assert [int(line.split("[#")[1].split("]")[0]) for line in lines] == [row, *rows]
    assert "original" in lines[0] and "◀ this one" in lines[2]
    assert lines[2].startswith("↳") and lines[3].startswith(
        "\u2003↳"
    )  # the variation of a variation sits one step deeper


@pytest.mark.asyncio
async def test_live_card_shows_elapsed_and_an_estimate_with_few_edits(
    emulator, bot_runner, sandbox, settings
):
    async with exterior_bot(bot_runner, settings) as (bot, _):
        for _ in range(3):  # history: three finished pools
            await finished(emulator)
        sandbox.state.config.processing_seconds = 3.0
        live = bot.get_cog("Results").live
        live.min_edit = 1.0
        live.tick.change_interval(seconds=0.2)
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
        card = await emulator.wait_for_message(
            predicate=lambda m: (
                f"generation #{row}" in embed_text(m) and "usually about" in embed_text(m)
            ),
            timeout=10,
        )
        assert "Elapsed" in embed_text(card)
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        await emulator.wait_for_message(predicate=lambda m: f"/{result['id']})" in embed_text(m))
    edits = [r.at for r in emulator.requests_matching("PATCH", f"/messages/{card['id']}$")]
    gaps = [b - a for a, b in itertools.pairwise(edits)]
    # ~3 s of running at one edit a second at most (the submit's edit counts), then the end
    assert 3 <= len(edits) <= 6, edits
    assert all(gap >= 0.9 for gap in gaps[:-1]), gaps


@pytest.mark.asyncio
async def test_a_card_picture_is_what_the_api_returned(emulator, bot_runner, sandbox, settings):
    async with exterior_bot(bot_runner, settings):
        _, card = await finished(emulator)
    shown = await fetch_image(gallery_urls(card)[0])
    (gen,) = sandbox.state.generations.values()
    returned = await fetch_image(f"{sandbox.url}/sandbox/results/{gen.id}/0.png")
    assert shown.tobytes() == returned.tobytes()


@pytest.mark.asyncio
async def test_live_cards_tick_again_after_a_restart(
    emulator, bot_runner, sandbox, polling_settings
):
    # long STARTING: the next start sees no status change, so no event re-watches the card
    sandbox.state.config.starting_seconds = 30.0
    async with exterior_bot(bot_runner, polling_settings):
        handle = await create(emulator, "POOL")
        row = started_id(await handle.wait_followup(timeout=10))
    restarted = time.monotonic()
    async with exterior_bot(bot_runner, polling_settings) as (bot, _):
        live = bot.get_cog("Results").live
        live.min_edit = 0.3
        live.tick.change_interval(seconds=0.2)
        card = next(m for m in emulator.messages_in() if f"generation #{row}" in embed_text(m))

        def running_edits():
            edits = emulator.requests_matching("PATCH", f"/messages/{card['id']}$")
            return [
                r for r in edits
                if r.at > restarted and "Done" not in str(r.json) and "Elapsed" in str(r.json)
            ]  # fmt: skip

        await emulator.state.notifier.wait_for(lambda: len(running_edits()) >= 2, 5)


@pytest.mark.asyncio
async def test_a_form_opened_before_a_restart_gets_an_answer(
    emulator, bot_runner, sandbox, settings
):
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        click = await emulator.click_button(card, f"exterior:card:newmask:{row}")
        await click.wait_ack()
    async with exterior_bot(bot_runner, settings):
        upload = _upload(click.modal)
        submit = await emulator.submit_modal(
            click,
            {upload["custom_id"]: [("m.png", png_bytes(mask_image((512, 512))), "image/png")]},
        )
        assert (await submit.wait_ack()).type == 4
        assert "click New mask… again" in submit.original["content"]
    assert sandbox.state.calls["generate-variation"] == 0


@pytest.mark.asyncio
async def test_two_people_fill_in_new_mask_forms_at_once(emulator, bot_runner, sandbox, settings):
    bob = await emulator.add_user("bob")
    spec = [("m.png", png_bytes(mask_image((512, 512))), "image/png")]
    async with exterior_bot(bot_runner, settings):
        row, card = await finished(emulator)
        forms = [
            await emulator.click_button(card, f"exterior:card:newmask:{row}", user=user)
            for user in (emulator.user, bob)
        ]
        for form in forms:
            await form.wait_ack()
        assert forms[0].modal["custom_id"] != forms[1].modal["custom_id"]
        key = _upload(forms[0].modal)["custom_id"]
        for form in reversed(forms):  # the later form first
            submit = await emulator.submit_modal(form, {key: spec, "type": ["POOL"]})
            started_id(await submit.wait_followup(timeout=10))
    assert sandbox.state.calls["generate-variation"] == 2
