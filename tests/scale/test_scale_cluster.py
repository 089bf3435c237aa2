"""Audits on a Dask LocalCluster (2 worker processes) give the numbers of one process.

The reference is the single-process audit (itself checked against NumPy, pandas and
fairlearn in test_audit_population.py): counts equal, sums and means equal to 1e-12,
medians and cut points identical, the JSON the same. A worker killed in the middle of a
run loses no row and counts none twice.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.audit import audit_population
from lanterne.errors import DataError, UsageError
from lanterne.model import TargetingRule, load_model
from lanterne.population.generate import generate_frame
from lanterne.scale.cluster import ClusterUnreachable, open_client, parse_cluster

GROUPS = ["family_type", "sex", "age_band"]


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 000 households in a folder of 3 Parquet files with row groups of 250 rows."""
    folder = tmp_path_factory.mktemp("parts")
    frame = generate_frame(3000, seed=11)
    for i in range(3):
        frame.slice(i * 1000, 1000).write_parquet(folder / f"part-{i}.parquet", row_group_size=250)
    return folder


def _json(audit) -> str:
    return json.dumps(audit.to_dict(), sort_keys=True)


def test_cluster_audit_equals_one_process(client, population: Path) -> None:
    model = load_model("fr-cnaf-2014")
    kwargs = dict(group_cols=GROUPS, intersect=True, condition_col="qpv", min_cell=5)
    one = audit_population(model, population, **kwargs)
    many = audit_population(model, population, batch_rows=300, client=client, **kwargs)
    assert _json(many) == _json(one)
    # and against an independent count: selected households per family type
    frame = pl.read_parquet(population)
    scores = model.scores(model.prepare(frame)).to_numpy()
    selected = scores >= one.threshold
    for row in many.groups["family_type"].rows:
        mask = (frame["family_type"].cast(pl.String) == row["group"]).to_numpy()
        assert row["n"] == mask.sum()
        assert row["n_selected"] == selected[mask].sum()
        assert abs(row["mean_score"] - scores[mask].mean()) < 1e-12
        assert row["median_score"] == np.median(scores[mask])


def test_cluster_keeps_rows_in_data_order(client, population: Path) -> None:
    frame = pl.read_parquet(population)
    data = frame.with_columns(pl.Series("s", np.linspace(0, 1, frame.height)))
    audit = audit_population(
        None,
        data,
        group_cols=["sex"],
        score_col="s",
        batch_rows=700,
        keep_rows=True,
        targeting=TargetingRule(top_share=0.1),
        client=client,
    )
    assert audit.rows is not None
    np.testing.assert_array_equal(audit.rows.scores, data["s"].to_numpy())
    assert audit.rows.groups("sex").tolist() == frame["sex"].cast(pl.String).to_list()


def test_cluster_reports_bad_rows_like_one_process(client) -> None:
    data = pl.DataFrame({"s": [0.1] * 9 + [1.5], "g": ["a"] * 10})
    with pytest.raises(DataError) as err:
        audit_population(None, data, group_cols=["g"], score_col="s", batch_rows=4, client=client)
    text = err.value.render("en")
    assert "rows 10" in text and "from row 9" in text


def test_lost_worker_loses_and_doubles_no_row(population: Path) -> None:
    """Kill a worker process in the middle of the scoring pass: same result as one process."""
    from distributed import Client, LocalCluster

    model = load_model("fr-cnaf-2014")
    one = audit_population(model, population, group_cols=GROUPS)
    killed: list[int] = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        pids = c.run(os.getpid)
        victim = next(iter(pids.values()))

        def kill_once(_: int) -> None:
            if not killed:
                killed.append(victim)
                os.kill(victim, signal.SIGKILL)

        many = audit_population(
            model,
            population,
            group_cols=GROUPS,
            batch_rows=250,
            client=c,
            progress=kill_once,
        )
        # the nanny started a new worker process in place of the killed one
        assert victim not in c.run(os.getpid).values()
    assert killed == [victim]
    assert _json(many) == _json(one)


def test_parse_cluster_rejects_bad_values() -> None:
    assert parse_cluster("local").workers is None
    for bad in ("locale", "local:0", "http://x:1", "tcp://nohost", ""):
        with pytest.raises(UsageError):
            parse_cluster(bad)


def test_unreachable_scheduler_is_a_runtime_failure() -> None:
    import socket

    with socket.socket() as s:  # a free port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (
        pytest.raises(ClusterUnreachable) as err,
        open_client(f"tcp://127.0.0.1:{port}", timeout=1),
    ):
        pass
    assert err.value.exit_code == 1
    assert "127.0.0.1" in err.value.render("fr")


def test_rights_on_cluster_equal_one_process(client) -> None:
    """OpenFisca-France in the workers: same amounts, entitlements and take-up draws."""
    from lanterne.rights.compute import compute_rights
    from lanterne.rights.simulate import tax_benefit_system

    frame = generate_frame(120, seed=3)
    one = compute_rights(frame, "2025-06", chunk_rows=40, progress=False)
    many = compute_rights(frame, "2025-06", chunk_rows=40, progress=False, client=client)
    assert many.equals(one)
    assert one["rsa_entitled"].sum() > 0  # the comparison covers real entitlements
    # one tax-benefit system per worker process, built once for its three chunks or so
    builds = client.run(lambda: tax_benefit_system.cache_info())
    assert [info.misses for info in builds.values()] == [1, 1]
    assert sum(info.hits for info in builds.values()) >= 3


def test_cli_cluster_option_gives_the_same_json(cli, population: Path, tmp_path: Path) -> None:
    args = ["audit", "population", "fr-cnaf-2014", population, "-g", "sex", "-g", "qpv"]
    one, many = tmp_path / "one.json", tmp_path / "many.json"
    assert cli(*args, "--json", one).exit_code == 0
    html = tmp_path / "r.html"  # the report reads every household's rows after the run
    result = cli(
        *args, "--json", many, "--cluster", "local:2", "--batch-rows", "500", "--report", html
    )
    assert result.exit_code == 0, result.output
    assert json.loads(many.read_text()) == json.loads(one.read_text())
    assert "--cluster local:2" in html.read_text()
    bad = cli(*args, "--cluster", "local:zero")
    assert bad.exit_code == 2 and "local:N" in bad.output
