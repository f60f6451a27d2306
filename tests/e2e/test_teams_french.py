"""A French team: the synced commands carry `fr` localisations, and French users read French."""

from __future__ import annotations

import html

import aiohttp
import pytest
from PIL import Image

from cogs.i18n import catalogues
from tests.support.files import mask, png_bytes

from .exterior_env import exterior_bot
from .flow import MASK, buttons, card_text, create, is_result_of, link_of
from .teams_support import admin


def all_commands_localised(command: dict, path: str = "") -> list[str]:
    """Every name and description that lacks a `fr` localisation, by path."""
    missing = []
    here = f"{path}/{command['name']}"
    for field in ("name", "description"):
        if "fr" not in (command.get(f"{field}_localizations") or {}):
            missing.append(f"{here}.{field}")
    for choice in command.get("choices", []):
        if "fr" not in (choice.get("name_localizations") or {}):
            missing.append(f"{here}={choice['value']}")
    for option in command.get("options", []):
        missing += all_commands_localised(option, here)
    return missing


def english_drift(command: dict, prefix: str = "cmd") -> list[str]:
    """Keys whose en.json text is not what the code syncs (en.json must stay the reference)."""
    english, key = catalogues()["en"], f"{prefix}.{command['name']}"
    drift = [
        f"{key}.{f}" for f in ("name", "description") if english.get(f"{key}.{f}") != command[f]
    ]
    drift += [
        f"choice.{c['value']}" for c in command.get("choices", [])
        if english.get(f"choice.{c['value']}") != c["name"]
    ]  # fmt: skip
    for option in command.get("options", []):
        drift += english_drift(option, key)
    return drift


@pytest.mark.asyncio
async def test_synced_commands_carry_french(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        pass
    body = emulator.commands.syncs[-1][1]
    synced = {c["name"]: c for c in body}
    assert {"exterior", "exterior-admin"} <= set(synced)
    for command in body:
        assert all_commands_localised(command) == []
        assert english_drift(command) == []
    admin_cmd = synced["exterior-admin"]
    assert admin_cmd["name_localizations"]["fr"] == catalogues()["fr"]["cmd.exterior-admin.name"]
    limits = next(o for o in admin_cmd["options"] if o["name"] == "limits")
    assert [o["name_localizations"]["fr"] for o in limits["options"]] == [
        "par_membre_jour", "par_serveur_mois", "simultanées"
    ]  # fmt: skip


@pytest.mark.asyncio
async def test_a_french_user_reads_french(emulator, bot_runner, sandbox, polling_settings):
    async with exterior_bot(bot_runner, polling_settings):
        emulator.locales[emulator.user.id] = "fr"
        emulator.locales[emulator.owner.id] = "fr"
        started = (await (await create(emulator, "POOL")).wait_followup(timeout=10))["content"]
        assert started.startswith("Génération #") and "(piscine)" in started
        row = int(started.split("#", 1)[1].split()[0])
        result = await emulator.wait_for_message(predicate=is_result_of(row), timeout=10)
        labels = [b["label"] for b in buttons(result)]
        assert labels[0] == "Varier en PISCINE" and labels[-1] == "Partager"
        assert f"Piscine — génération #{row}" in card_text(result)
        _, text = await admin(emulator, "limits", {"per_user_day": 1}, user=emulator.user)
        assert "Gérer le serveur" in text
        _, text = await admin(emulator, "show")
        assert "Réglages du bot Extérieur" in text and "sans limite" in text
        await admin(emulator, "channels", {"action": "forbid", "channel": emulator.channel})
        refused = (await (await create(emulator, "POOL")).wait_followup(timeout=10))["content"]
        assert refused == "Les travaux payants ne sont pas autorisés dans ce salon."
        # an English user in the same server still reads English
        emulator.locales[emulator.user.id] = "en-US"
        refused = (await (await create(emulator, "POOL")).wait_followup(timeout=10))["content"]
        assert refused == "Paid work is not allowed in this channel."


@pytest.mark.asyncio
async def test_a_french_user_reads_french_numbers(emulator, bot_runner, sandbox, polling_settings):
    """Sentences with values in them: the photo's size, the share a mask selects."""
    async with exterior_bot(bot_runner, polling_settings):
        emulator.locales[emulator.user.id] = "fr"
        huge = png_bytes(Image.new("RGB", (6000, 5000), (90, 140, 60)))  # 30 megapixels
        handle = await create(emulator, "POOL", photo=huge)
        said = spaced((await handle.wait_followup(timeout=20))["content"])
        assert said == "La photo fait 6 000 × 5 000 pixels ; la limite est de 25 mégapixels."
        speck = png_bytes(mask((512, 512), box=(0, 0, 29, 29)))  # 30 x 30: 0.34 % of the photo
        handle = await create(emulator, "POOL", mask=speck)
        said = spaced((await handle.wait_followup(timeout=10))["content"])
        assert said.startswith("Le masque ne sélectionne presque rien (0,3 % de la photo)")
        emulator.locales[emulator.user.id] = "en-US"  # the same failure, in English
        handle = await create(emulator, "POOL", mask=speck)
        said = (await handle.wait_followup(timeout=10))["content"]
        assert said.startswith("The mask selects almost nothing (0.3% of the photo)")
        assert sandbox.state.calls["generate"] == 0


@pytest.mark.asyncio
async def test_a_french_users_studio_speaks_french(emulator, bot_runner, sandbox, settings):
    """The link made for a French user opens a French page, and what it answers is French."""
    french = catalogues()["fr"]
    async with exterior_bot(bot_runner, settings):
        emulator.locales[emulator.user.id] = "fr"
        preview = await (await create(emulator, "POOL", mask=None)).wait_followup(timeout=10)
        link = link_of(preview, french["button.edit_in_studio"])
        async with aiohttp.ClientSession() as http:
            async with http.get(link) as resp:
                page = await resp.text()
            assert '<html lang="fr">' in page and f"<h1>{french['studio.heading']}</h1>" in page
            async with http.post(f"{link}/generate?type=POOL", data=MASK) as resp:
                answer = await resp.json()
            assert resp.status == 200 and answer["message"].startswith("Génération #"), answer
            async with http.get(link) as resp:  # used up: refused, in French still
                page = await resp.text()
            assert resp.status == 410 and html.escape(french["draft.used"]) in page


def spaced(text: str) -> str:
    """French typography's no-break spaces (Babel's) as plain ones, to compare readably."""
    return text.replace("\u202f", " ").replace("\xa0", " ")
