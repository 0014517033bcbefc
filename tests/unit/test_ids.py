from chalkops.ids import is_uuid7, new_id


def test_every_new_id_is_a_uuid7_and_ids_sort_by_creation() -> None:
    ids = [new_id() for _ in range(200)]
    assert all(is_uuid7(value) for value in ids)
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids), "UUIDv7 ids must sort in creation order (index locality)"
