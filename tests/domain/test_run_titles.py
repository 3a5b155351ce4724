from catalynx_desktop.domain.run_titles import describe_counts, describe_parameters, run_title


def test_runs_are_named_the_same_way_everywhere():
    names = {2: "Harbor Arts"}
    assert run_title("Import", {"path": "/data/eo_vt.csv"}) == "Import eo_vt.csv"
    assert run_title("discover", {"profile_id": 2}, None, names) == "Discover — Harbor Arts"
    assert run_title("rescore", {"profile_id": 2}, None, names) == "Rescore — Harbor Arts"
    assert run_title("discover", {"profile_id": 9}, None, names) == "Discover — profile #9 (deleted)"
    assert run_title("export", {"path": "x/short.csv"}, {"rows": 1234}) == "Export 1,234 rows"
    assert run_title("export", {"path": "x/short.csv"}) == "Export to short.csv"


def test_counts_have_labels_and_no_internal_keys():
    text = describe_counts(
        "Import",
        {"read": 38576, "inserted": 0, "updated": 0, "unchanged": 38576, "skipped": 0, "from_cache": 0},
    )
    assert text == "38,576 read, 0 new, 0 updated, 38,576 unchanged, 0 skipped"
    assert "cache" in describe_counts("Import", {"read": 1, "from_cache": 1})
    assert describe_counts(
        "discover", {"records": 10, "scored": 10, "kept": 3, "created": 3, "updated": 0}
    ) == ("10 records checked, 3 matches, 3 new, 0 updated")
    assert describe_parameters({"profile_id": 2, "threshold": 0.3}, {2: "Harbor Arts"}) == (
        "for Harbor Arts, minimum score 0.3"
    )
