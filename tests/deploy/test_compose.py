"""Offline checks of the Docker deployment: docker-compose.yml, docker/Dockerfile, .env.example.

The build machine has no Docker engine, so nothing here builds an image or starts a container.
What is checked instead:

- the compose file is YAML and valid against the Compose Specification JSON Schema (the copy
  Docker Compose v2.40.3 embeds, vendored in compose-spec.json; see compose-spec.README.md),
  both as written and after interpolation with .env.example's values;
- every path it names exists (build context, Dockerfile, bind-mount sources, what the Dockerfile
  COPYs, and the Dockerfile's build-context filter lets those through);
- every ${VAR} it uses is defined in .env.example, and every variable there is used;
- the Dockerfile extends apache/airflow:3.3.2 and installs requirements.lock, then the project;
- the services the deployment needs exist, the Airflow ones merge the x-airflow-common anchor,
  and their settings agree with the code (pool name, profile variables, sandbox CLI flags,
  connection form);
- no secret-looking literal is committed;
- if a Compose binary is at hand (COMPOSE_BIN, `docker compose`, or `docker-compose`), its own
  `config` command accepts the file (it needs no engine for that); skipped otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")
SCHEMA_SHA256 = "e4e1a42ce687c47e199551d1f025b1e713a4d1f9302706d3f89de9cef1d376a4"

AIRFLOW_VERSION = "3.3.2"
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-init": None,  # runs docker/airflow-init.sh
}
OTHER_SERVICES = {"postgres", "warehouse", "crm-sandbox"}
LONG_RUNNING = set(AIRFLOW_SERVICES) - {"airflow-init"} | OTHER_SERVICES
# Project folders lead_scoring.paths resolves under LEAD_SCORING_HOME.
PROJECT_MOUNTS = ("dags", "plugins", "dbt_project", "expectations", "config")

# Names whose values are secrets (…_PASSWORDS_FILE and similar paths are not).
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|FERNET|API_KEY|PRIVATE_KEY|_CONN(_|$)", re.I)
NOT_SECRET_NAME = re.compile(r"_(FILE|PATH|USERS?)$", re.I)
PLACEHOLDER = re.compile(r"^(change-me[\w.-]*)?$")  # a change-me value, or empty
SECRET_PATTERNS = {
    "HubSpot private-app token": re.compile(r"pat-(na|eu|ap)\d+-[0-9a-f]{8}", re.I),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "Fernet key": re.compile(r"\b[A-Za-z0-9_-]{43}=(?![\w=])"),
}

# Compose interpolation: $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default},
# ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, $VAR.
INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^{}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


# ---- helpers -----------------------------------------------------------------------------------


def load_compose(text: str | None = None) -> dict:
    data = yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)
    assert isinstance(data, dict), "docker-compose.yml is not a YAML mapping"
    return data


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as Compose reads a .env file: '…' literal, "…" quoted, # comments."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        assert match, f"{path.name}:{number}: not KEY=VALUE: {raw!r}"
        key, value = match.groups()
        assert key not in values, f"{path.name}:{number}: {key} defined twice"
        if value[:1] in ("'", '"'):
            end = value.find(value[0], 1)
            assert end > 0, f"{path.name}:{number}: unterminated quote"
            assert not value[end + 1 :].strip() or value[end + 1 :].lstrip().startswith("#"), (
                f"{path.name}:{number}: text after the closing quote"
            )
            value = value[1:end]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        values[key] = value
    return values


def strings_in(node, path: str = ""):
    """(path, string) for every string value in a loaded YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings_in(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def references(text: str) -> list[tuple[str, str | None, str | None]]:
    """(variable, operator, argument) for each interpolation in `text` ($$ escapes skipped)."""
    out = []
    for m in INTERPOLATION.finditer(text):
        if m.group("escaped"):
            continue
        out.append((m.group("braced") or m.group("named"), m.group("op"), m.group("arg")))
    return out


def interpolate(text: str, env: dict[str, str]) -> str:
    def replace(m: re.Match) -> str:
        if m.group("escaped"):
            return "$"
        name = m.group("braced") or m.group("named")
        op, arg = m.group("op"), m.group("arg") or ""
        value = env.get(name)
        if op in (":?", "?") and (value is None or (op == ":?" and value == "")):
            raise KeyError(f"required variable {name} is missing: {arg}")
        if op in (":-", "-") and (value is None or (op == ":-" and value == "")):
            return arg
        if op in (":+", "+"):
            return arg if value not in (None, "") or (op == "+" and value is not None) else ""
        return value or ""

    result = INTERPOLATION.sub(replace, text)
    leftover = re.sub(r"\$\$", "", INTERPOLATION.sub("", text))
    assert "$" not in leftover, f"malformed interpolation in {text!r}"
    return result


def interpolate_all(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {key: interpolate_all(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_all(value, env) for value in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def schema_errors(document: dict) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]


def service_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def short_volume(spec) -> dict:
    """A volume entry (short or long syntax) as {type, source, target}."""
    if isinstance(spec, dict):
        return {"type": spec.get("type"), "source": spec.get("source"), "target": spec.get("target")}
    parts = spec.split(":")
    source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
    kind = "bind" if source and source.startswith((".", "/", "~")) else "volume"
    return {"type": kind, "source": source, "target": target}


def dockerfile_path(compose: dict, name: str) -> tuple[Path, Path]:
    build = compose["services"][name]["build"]
    if isinstance(build, str):
        build = {"context": build}
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    return context, context / build.get("dockerfile", "Dockerfile")


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    assert not current, f"{path}: the last instruction ends with a line continuation"
    out = []
    for line in lines:
        instruction, _, args = line.partition(" ")
        out.append((instruction.upper(), args.strip()))
    return out


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    assert ENV_EXAMPLE.is_file(), ".env.example is missing"
    return parse_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def resolved(compose, env_example) -> dict:
    """The compose file as `docker compose` sees it with `cp .env.example .env`."""
    return interpolate_all(compose, env_example)


# ---- (a) YAML and the Compose Specification schema -------------------------------------------------


def test_vendored_schema_is_the_documented_one():
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest()
    assert digest == SCHEMA_SHA256, "compose-spec.json changed: update compose-spec.README.md too"
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["title"] == "Compose Specification"


def test_compose_file_is_valid_against_the_compose_spec(compose):
    assert schema_errors(compose) == []


def test_interpolated_compose_file_is_valid_against_the_compose_spec(resolved):
    assert schema_errors(resolved) == []


def test_schema_check_rejects_broken_files(compose):
    """The schema is not vacuous: typical mistakes in this file are caught."""
    import copy

    broken = copy.deepcopy(compose)
    broken["services"]["airflow-scheduler"]["comand"] = "scheduler"  # typo
    assert any("comand" in e for e in schema_errors(broken))

    broken = copy.deepcopy(compose)
    broken["services"]["postgres"]["ports"] = {"5432": "5432"}  # a list in Compose
    assert schema_errors(broken)

    broken = copy.deepcopy(compose)
    broken["services"]["airflow-apiserver"]["depends_on"]["postgres"] = {"condition": "healthy"}
    assert schema_errors(broken)

    broken = copy.deepcopy(compose)
    broken["service"] = broken.pop("services")
    assert schema_errors(broken)


def test_interpolation_helper_follows_compose_rules():
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET}-${UNSET:-d}-${EMPTY:-e}-${EMPTY-f}-$$HOME-$SET", env) == "x-d-e--$HOME-x"
    with pytest.raises(KeyError):
        interpolate("${EMPTY:?needed}", env)
    assert [name for name, _, _ in references("a $${NOT} ${A:?m} $B ${C:-1}")] == ["A", "B", "C"]


# ---- (b) paths ------------------------------------------------------------------------------------


def test_build_context_and_dockerfile_exist(compose):
    built = [name for name, service in compose["services"].items() if "build" in service]
    assert built, "no service builds the project image"
    for name in built:
        context, dockerfile = dockerfile_path(compose, name)
        assert context.is_dir(), f"{name}: build context {context} does not exist"
        assert dockerfile.is_file(), f"{name}: Dockerfile {dockerfile} does not exist"
        assert ROOT in (context, *context.parents), f"{name}: build context outside the repository"


def test_bind_mount_sources_exist_and_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for spec in service.get("volumes") or []:
            volume = short_volume(spec)
            if volume["type"] == "bind":
                source = (COMPOSE_FILE.parent / volume["source"]).resolve()
                assert source.exists(), f"{name}: bind-mount source {volume['source']} does not exist"
                assert ROOT in (source, *source.parents), f"{name}: {volume['source']} outside the repo"
            elif volume["type"] == "volume" and volume["source"]:
                assert volume["source"] in declared, f"{name}: volume {volume['source']} not declared"


def test_dockerfile_copies_existing_files_that_the_context_filter_lets_through(compose):
    context, dockerfile = dockerfile_path(compose, "airflow-scheduler")
    sources = []
    for instruction, args in dockerfile_instructions(dockerfile):
        if instruction in ("COPY", "ADD"):
            words = [w for w in args.split() if not w.startswith("--")]
            sources += words[:-1]
    assert sources, "the Dockerfile copies nothing"
    for source in sources:
        assert (context / source).exists(), f"COPY source {source} does not exist in the context"

    # BuildKit reads <Dockerfile>.dockerignore before the context root's .dockerignore.
    ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
    if not ignore.is_file():
        ignore = context / ".dockerignore"
    if not ignore.is_file():
        return
    rules = [line.strip() for line in ignore.read_text().splitlines()]
    rules = [r for r in rules if r and not r.startswith("#")]
    if "*" not in rules:
        return  # a deny-list: the sources above are not denied by the whitelist logic below
    allowed = [r[1:].rstrip("/") for r in rules if r.startswith("!")]
    for source in sources:
        assert any(source == a or source.startswith(a + "/") for a in allowed), (
            f"{ignore.name} keeps {source} out of the build context"
        )
    assert ".venv" not in allowed and ".state" not in allowed


def test_project_folders_are_mounted_where_lead_scoring_home_points(compose):
    common = compose["x-airflow-common"]
    env = service_env(common)
    home = env["LEAD_SCORING_HOME"]
    mounts = {short_volume(v)["target"]: short_volume(v) for v in common["volumes"]}
    for folder in PROJECT_MOUNTS:
        target = f"{home}/{folder}"
        assert target in mounts, f"{folder}/ is not mounted at {target}"
        assert mounts[target]["type"] == "bind"
        assert Path(mounts[target]["source"]).name == folder
    state = mounts.get(env["LEAD_SCORING_STATE_DIR"])
    assert state and state["type"] == "volume", "LEAD_SCORING_STATE_DIR must be a named volume"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == f"{home}/dags"
    assert env["AIRFLOW__CORE__PLUGINS_FOLDER"] == f"{home}/plugins"


# ---- (c) variables --------------------------------------------------------------------------------


def test_every_variable_is_defined_in_env_example(compose, env_example):
    used = {name for _, text in strings_in(compose) for name, _, _ in references(text)}
    assert used, "the compose file uses no variables: passwords must come from .env"
    missing = sorted(used - set(env_example))
    assert not missing, f"used in docker-compose.yml, not defined in .env.example: {missing}"
    unused = sorted(set(env_example) - used)
    assert not unused, f"defined in .env.example, used nowhere in docker-compose.yml: {unused}"


def test_every_dollar_is_a_reference_or_an_escape(compose, env_example):
    """A stray `$` (e.g. `${FOO` or `$(...)`) makes Compose refuse the file; `$$` is a literal."""
    for path, text in strings_in(compose):
        try:
            interpolate(text, env_example)
        except AssertionError as exc:
            raise AssertionError(f"{path}: {exc}") from None
    with pytest.raises(AssertionError):
        interpolate("echo ${BROKEN", env_example)


def test_missing_env_file_stops_compose(compose):
    """Without a .env the required secrets stop `docker compose` instead of defaulting."""
    with pytest.raises(KeyError):
        interpolate_all(compose, {})


# ---- (d) the image --------------------------------------------------------------------------------


def test_dockerfile_extends_airflow_and_installs_the_lock(compose):
    _, dockerfile = dockerfile_path(compose, "airflow-scheduler")
    instructions = dockerfile_instructions(dockerfile)
    froms = [args for instruction, args in instructions if instruction == "FROM"]
    assert len(froms) == 1, f"expected one FROM, got {froms}"
    image = froms[0].split()[0]
    match = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)(?:-python(\d+\.\d+))?", image)
    assert match, f"FROM {image} is not the official apache/airflow image"
    assert match.group(1) == AIRFLOW_VERSION
    requires = re.search(r'requires-python\s*=\s*">=(\d+\.\d+)', (ROOT / "pyproject.toml").read_text())
    assert match.group(2) == requires.group(1), (
        f"the image's Python ({match.group(2) or 'Airflow default'}) is not the project's "
        f"({requires.group(1)}), for which requirements.lock is resolved"
    )

    lock = (ROOT / "requirements.lock").read_text()
    assert re.search(rf"^apache-airflow=={re.escape(AIRFLOW_VERSION)}$", lock, re.M), (
        "requirements.lock must pin the same Airflow as the base image"
    )

    runs = [args for instruction, args in instructions if instruction == "RUN"]
    copies = [args.split() for instruction, args in instructions if instruction == "COPY"]
    lock_dest = next((words[-1] for words in copies if "requirements.lock" in words[:-1]), None)
    assert lock_dest, "the Dockerfile does not COPY requirements.lock"
    lock_dest = lock_dest if lock_dest.endswith("requirements.lock") else lock_dest + "/requirements.lock"
    install_lock = [r for r in runs if re.search(rf"pip install .*-r {re.escape(lock_dest)}", r)]
    assert install_lock, "the Dockerfile does not pip install -r the copied requirements.lock"
    assert all("--no-cache-dir" in r for r in install_lock)
    install_project = [r for r in runs if "pip install" in r and "--no-deps" in r]
    assert install_project, "the project is not installed with --no-deps after the lock"
    assert runs.index(install_lock[0]) < runs.index(install_project[0])
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1] == "airflow", "pip must run as the airflow user (official advice)"


def test_compose_builds_and_tags_one_image(compose):
    images = {compose["services"][n].get("image") for n, s in compose["services"].items() if "build" in s}
    assert len(images) == 1 and None not in images, f"built services tag different images: {images}"


# ---- (e) services ---------------------------------------------------------------------------------


def test_every_service_exists(compose):
    missing = (set(AIRFLOW_SERVICES) | OTHER_SERVICES) - set(compose["services"])
    assert not missing, f"missing services: {sorted(missing)}"


def test_airflow_services_merge_the_common_anchor():
    """Checked on the YAML node graph: each Airflow service has `<<: *airflow-common`."""
    root = yaml.compose(COMPOSE_FILE.read_text())
    top = {key.value: value for key, value in root.value}
    common = top.get("x-airflow-common")
    assert common is not None and "&airflow-common" in COMPOSE_FILE.read_text()
    services = {key.value: value for key, value in top["services"].value}
    for name in AIRFLOW_SERVICES:
        merged = [value for key, value in services[name].value if key.tag == "tag:yaml.org,2002:merge"]
        assert any(node is common for node in merged), f"{name} does not merge *airflow-common"


def test_airflow_services_run_their_component(compose):
    common = compose["x-airflow-common"]
    for name, command in AIRFLOW_SERVICES.items():
        service = compose["services"][name]
        for key in ("image", "build", "volumes"):
            assert service[key] == common[key], f"{name}: {key} differs from x-airflow-common"
        env = service_env(service)
        for key, value in service_env(common).items():
            assert env.get(key) == value, f"{name}: {key} differs from x-airflow-common"
        if command:
            assert service["command"] == command
            assert service["user"] == common["user"]
            assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_airflow_settings(compose):
    env = service_env(compose["x-airflow-common"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    conn = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert re.fullmatch(r"postgresql\+psycopg2://airflow:\$\{[^}]+\}@postgres/airflow", conn), conn
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert key in env, f"{key} must be shared by all components"
    for name in LONG_RUNNING:
        assert "healthcheck" in compose["services"][name], f"{name} has no healthcheck"
    for name, service in compose["services"].items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in compose["services"], f"{name} depends on unknown {dependency}"


def test_init_migrates_and_creates_the_pool_the_dag_uses(compose):
    init = compose["services"]["airflow-init"]
    assert init["user"] == "0:0"
    script_in_image = init["command"][-1]
    _, dockerfile = dockerfile_path(compose, "airflow-init")
    copies = [
        args.split() for instruction, args in dockerfile_instructions(dockerfile) if instruction == "COPY"
    ]
    source = next((w[-2] for w in copies if w[-1] == script_in_image), None)
    assert source, f"{script_in_image} is not copied into the image"
    script = (ROOT / source).read_text()
    dag = (ROOT / "dags" / "lead_scoring_daily.py").read_text()
    pool = re.search(r'^WAREHOUSE_POOL\s*=\s*"([^"]+)"', dag, re.M).group(1)
    assert "airflow db migrate" in script
    assert re.search(r'airflow pools set "?\$\{POOL\}"? 1 ', script) and f'POOL="{pool}"' in script, (
        f"airflow-init.sh must create the pool {pool} with 1 slot"
    )
    assert "set -euo pipefail" in script
    bash = shutil.which("bash")
    if bash:
        subprocess.run([bash, "-n", str(ROOT / source)], check=True)


def test_warehouse_variables_match_the_dbt_profile(compose):
    profile = (ROOT / "dbt_project" / "profiles.yml").read_text()
    wanted = set(re.findall(r"env_var\('(LEAD_SCORING_PG_[A-Z]+)'", profile))
    assert wanted >= {"LEAD_SCORING_PG_HOST", "LEAD_SCORING_PG_PASSWORD"}
    env = service_env(compose["x-airflow-common"])
    assert wanted <= set(env), f"not set for dbt: {sorted(wanted - set(env))}"
    assert env["LEAD_SCORING_PG_HOST"] == "warehouse"
    assert env["LEAD_SCORING_PG_PORT"] == "5432"
    assert re.search(r"env_var\('LEAD_SCORING_TARGET'", profile)
    assert "postgres:" in profile and "duckdb:" in profile
    warehouse = service_env(compose["services"]["warehouse"])
    assert warehouse["POSTGRES_PASSWORD"] == env["LEAD_SCORING_PG_PASSWORD"]
    assert warehouse["POSTGRES_USER"] == env["LEAD_SCORING_PG_USER"]
    assert warehouse["POSTGRES_DB"] == env["LEAD_SCORING_PG_DBNAME"]


def test_crm_sandbox_uses_only_flags_the_cli_has(compose, env_example, monkeypatch):
    from lead_scoring.crm.connection import airflow_connection_from_env
    from lead_scoring.crm.sandbox import cli

    sandbox = compose["services"]["crm-sandbox"]
    assert sandbox["entrypoint"] == ["lead-scoring", "crm-sandbox"]
    parser = argparse.ArgumentParser(exit_on_error=False)
    cli.add_arguments(parser)
    args = parser.parse_args([str(a) for a in sandbox["command"]])  # unknown flag: SystemExit
    assert "LEAD_SCORING_CRM_TOKEN" in service_env(sandbox) and cli.TOKEN_ENV == "LEAD_SCORING_CRM_TOKEN"

    # The sandbox must listen beyond its own container's loopback for the tasks to reach it.
    assert args.host == "0.0.0.0"
    assert "network_mode" not in sandbox

    monkeypatch.setenv("AIRFLOW_CONN_CRM_DEFAULT", env_example["AIRFLOW_CONN_CRM_DEFAULT"])
    conn = airflow_connection_from_env()
    assert conn.url == f"http://crm-sandbox:{args.port}", "the example connection must reach the sandbox"
    assert conn.token == env_example["CRM_SANDBOX_TOKEN"], (
        "the example connection's token must be the sandbox's"
    )


def test_connection_in_env_example_is_json(env_example):
    raw = env_example["AIRFLOW_CONN_CRM_DEFAULT"]
    data = json.loads(raw)
    assert set(data) <= {"conn_type", "host", "port", "schema", "login", "password", "extra"}
    assert isinstance(data.get("extra", {}), dict)


# ---- (f) no committed secrets ----------------------------------------------------------------------


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not NOT_SECRET_NAME.search(name)


def test_no_secret_literal_in_the_compose_file(compose):
    blocks = {"x-airflow-common": compose["x-airflow-common"], **compose["services"]}
    for name, service in blocks.items():
        for key, value in service_env(service).items():
            if is_secret_name(key):
                assert isinstance(value, str) and references(value), (
                    f"{name}: {key} is a literal; it must come from a ${{VAR}} in .env"
                )
    for path, text in strings_in(compose):
        for user_pass in re.findall(r"://[^/\s:@]+:([^@\s]+)@", text):
            assert re.fullmatch(r"\$\{[^}]+\}", user_pass), f"{path}: password literal in a URL"
        for var, op, arg in references(text):
            if is_secret_name(var):
                assert op in (None, ":?", "?"), f"{path}: ${{{var}{op}{arg}}} gives a secret a default"


def test_env_example_holds_placeholders_only(env_example):
    for key, value in env_example.items():
        if key.startswith("AIRFLOW_CONN_"):
            data = json.loads(value)
            assert PLACEHOLDER.match(str(data.get("password") or "")), f"{key}: real password?"
            assert not re.search(r"://[^/\s]*@", str(data.get("host") or "")), f"{key}: credentials in host"
        elif is_secret_name(key):
            assert PLACEHOLDER.match(value), f"{key}={value!r} is not a change-me placeholder"


def test_no_known_secret_pattern_in_deploy_files():
    files = [COMPOSE_FILE, ENV_EXAMPLE, *sorted((ROOT / "docker").iterdir())]
    files.append(ROOT / "docs" / "deploy.md")
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text()
        for what, pattern in SECRET_PATTERNS.items():
            found = pattern.search(text)
            assert not found, f"{path.relative_to(ROOT)}: looks like a {what}: {found.group(0)[:12]}..."
    _, dockerfile = dockerfile_path(load_compose(), "airflow-scheduler")
    for instruction, args in dockerfile_instructions(dockerfile):
        if instruction in ("ENV", "ARG"):
            for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", args):
                assert not is_secret_name(name), f"Dockerfile {instruction} bakes in {name}"


def test_secret_checks_catch_a_committed_password(compose):
    """The checks above fail on a literal: tried on a copy with one."""
    text = COMPOSE_FILE.read_text().replace(
        "${WAREHOUSE_DB_PASSWORD:?set WAREHOUSE_DB_PASSWORD in .env}", "hunter2", 1
    )
    assert text != COMPOSE_FILE.read_text()
    with pytest.raises(AssertionError):
        test_no_secret_literal_in_the_compose_file(load_compose(text))
    text = COMPOSE_FILE.read_text().replace(
        "${AIRFLOW_JWT_SECRET:?set AIRFLOW_JWT_SECRET in .env}", "${AIRFLOW_JWT_SECRET:-s3cret}", 1
    )
    with pytest.raises(AssertionError):
        test_no_secret_literal_in_the_compose_file(load_compose(text))


# ---- the real parser, when one is installed ---------------------------------------------------------


def compose_command() -> list[str] | None:
    if os.environ.get("COMPOSE_BIN"):
        return [os.environ["COMPOSE_BIN"]]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose binary (set COMPOSE_BIN to run `config` on the file)")
    base = [*command, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))}
    for key in parse_env_file(ENV_EXAMPLE):
        env.pop(key, None)
    ok = subprocess.run(
        [*base, "--env-file", str(ENV_EXAMPLE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    empty = tmp_path / "empty.env"
    empty.write_text("")
    refused = subprocess.run(
        [*base, "--env-file", str(empty), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert refused.returncode != 0 and "required variable" in refused.stderr
