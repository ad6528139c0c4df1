"""Settings reused for a moment instead of read per complaint (`services.recent`)."""

import time

from xiaobao.services.complaints.intake.recent import Recent, forget_all


def test_a_value_is_read_once_within_its_time_and_again_after():
    reads = []
    cache = Recent(ttl=0.2)

    def read():
        reads.append(1)
        return len(reads)

    assert cache.get("db", read) == 1 and cache.get("db", read) == 1
    assert cache.get("other-db", read) == 2  # one value per database
    time.sleep(0.25)
    assert cache.get("db", read) == 3


def test_a_change_made_in_this_process_is_seen_at_once():
    value = {"active": 1}
    cache = Recent(ttl=60)
    assert cache.get("db", lambda: value["active"]) == 1
    value["active"] = 2
    assert cache.get("db", lambda: value["active"]) == 1  # another process's change waits for the ttl
    forget_all()
    assert cache.get("db", lambda: value["active"]) == 2
