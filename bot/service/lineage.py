"""The family of a design: the original and every variation grown from it, in order."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Generation
from storage import GenerationRepository

MAX_MEMBERS = 50  # a family listed in one message; deeper ones are cut, never looped


@dataclass(frozen=True)
class Member:
    generation: Generation
    depth: int  # 0 for the original, 1 for its variations, 2 for theirs...


async def family(repo: GenerationRepository, gen: Generation) -> list[Member]:
    """Depth-first from the original, children by number: the order they were asked for."""
    root, seen = gen, {gen.id}
    while root.parent_id is not None and root.parent_id not in seen:
        parent = await repo.get(root.parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        root = parent
    members: list[Member] = []
    stack = [(root, 0)]
    while stack and len(members) < MAX_MEMBERS:
        current, depth = stack.pop()
        members.append(Member(current, depth))
        children = await repo.children(current.id)
        stack.extend((child, depth + 1) for child in reversed(children))
    return members
