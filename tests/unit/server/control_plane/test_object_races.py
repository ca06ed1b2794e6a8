"""Name registration under concurrency: get-or-create yields one object, ensure_new never collides."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any


def test_concurrent_registration(rt: Any) -> None:
    owner = rt.accounts.create_local_user("o@example.com", "pw-0123456789")
    org = rt.store.create_org("acme", owner["id"])
    project, _ = rt.projects.get_or_create(org["id"], "proj")
    with ThreadPoolExecutor(max_workers=6) as pool:
        fresh = list(pool.map(lambda _: rt.objects.register(org["id"], project["id"], "experiment", "run",
                                                            ensure_new=True), range(12)))
        shared = list(pool.map(lambda _: rt.objects.register(org["id"], project["id"], "dataset", "golden"),
                               range(12)))
        projects = list(pool.map(lambda _: rt.projects.get_or_create(org["id"], "same")[0]["id"], range(12)))
    assert len({o["id"] for o in fresh}) == len({o["name"] for o in fresh}) == 12
    assert {o["name"] for o in fresh} == {"run"} | {f"run-{i}" for i in range(1, 12)}
    assert len({o["id"] for o in shared}) == 1 and sum(o["created_now"] for o in shared) == 1
    assert len(set(projects)) == 1
