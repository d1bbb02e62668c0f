"""The public facade is curated: `__all__` is pinned so additions are deliberate."""

import runyard

EXPECTED = {
    "AlertLevel",
    "Api",
    "Artifact",
    "Audio",
    "CommError",
    "ConfigError",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Object3D",
    "Plotly",
    "RunStopped",
    "Settings",
    "Table",
    "UsageError",
    "Video",
    "__version__",
    "agent",
    "alert",
    "config",
    "define_metric",
    "finish",
    "init",
    "join",
    "log",
    "log_artifact",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "require",
    "restore",
    "run",
    "runlog",
    "save",
    "setup",
    "summary",
    "sweep",
    "termerror",
    "termlog",
    "termwarn",
    "unwatch",
    "use_artifact",
    "watch",
}


def test_all_is_pinned():
    assert set(runyard.__all__) == EXPECTED
    for name in runyard.__all__:
        assert hasattr(runyard, name), name


def test_runlog_is_an_attribute_of_the_package_loaded_lazily(tmp_path):
    # README: `runyard.runlog.read(...)` right after `import runyard`, nothing else imported first
    import subprocess
    import sys

    code = (
        "import sys, runyard\n"
        "assert 'runyard.runlog' not in sys.modules\n"
        "run = runyard.init(project='p', mode='offline', settings=runyard.Settings(console='off', silent=True,"
        " x_disable_stats=True))\n"
        "runyard.log({'loss': 0.5}); runyard.finish()\n"
        "print(runyard.runlog.read(run.sync_dir).series('loss'))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "([0], [0.5])"


def test_module_functions_before_init_say_what_to_do():
    import pytest

    assert runyard.run is None
    with pytest.raises(runyard.Error, match=r"call runyard.init\(\) before runyard.log\(\)"):
        runyard.log({"a": 1})
    with pytest.raises(runyard.Error, match=r"runyard.init\(\) before runyard.config"):
        runyard.config.lr  # noqa: B018
    with pytest.raises(runyard.Error, match=r"runyard.init\(\) before runyard.define_metric"):
        runyard.define_metric("a")
    runyard.finish()  # finishing nothing is fine
