"""evaluate and calibrate before there is anything to measure: one clear line, no traceback."""

from __future__ import annotations

import pytest

from lead_scoring.cli import main


@pytest.mark.parametrize("command", ["evaluate", "calibrate"])
def test_an_empty_state_folder_says_what_to_do(command, capsys):
    assert main([command]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{command}: no warehouse at ") and "build first" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("option", ["--test-share=0", "--test-share=0.9", "--tier-shares=0.4,0.2"])
def test_calibrate_refuses_meaningless_shares(option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["calibrate", option])
    assert exit_info.value.code == 2
    assert option.split("=")[0] in capsys.readouterr().err
