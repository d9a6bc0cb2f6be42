"""The data-use guard: credentialed cases go only to local, private or allow-listed addresses.

Nothing here reaches the network: names resolve through a fake DNS table (``fake_dns``), and every socket
connection attempt fails the test (``no_connections``).
"""

from __future__ import annotations

import socket

import pytest

from cdmbench.lm import DataUseError, check_data_use, is_local_endpoint
from cdmbench.lm.addresses import parse_endpoint

FAKE_DNS = {
    "localhost": ["127.0.0.1", "::1"],
    "gpu042": ["10.0.0.42"],
    "node7.cluster.local": ["192.168.7.7"],
    "vllm.svc.internal": ["10.1.1.1", "fd00::1"],
    "api.openai.com": ["104.18.6.192"],
    "llm.example.org": ["93.184.216.34"],
    "example.org": ["93.184.216.34"],
    "evil-example.org": ["93.184.216.35"],
    "llm.example.org.attacker.net": ["93.184.216.36"],
    "localhost.example.com": ["93.184.216.37"],
    "split.example.net": ["10.0.0.9", "93.184.216.38"],  # one private, one public answer
    "xn--e1afmkfd.xn--p1ai": ["93.184.216.39"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    """Resolve names from FAKE_DNS only; anything else does not exist."""

    def resolve(host, port):
        if host not in FAKE_DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return FAKE_DNS[host]

    monkeypatch.setattr("cdmbench.lm.addresses._resolve", resolve)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(autouse=True)
def no_connections(monkeypatch):
    """The guard decides before any connection: a connect() attempt fails the test."""

    def refuse(self, address):
        raise AssertionError(f"the guard tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


ALLOWED_FOR_CREDENTIALED = [
    "http://127.0.0.1:8000/v1",
    "http://127.8.9.10:8000/v1",
    "http://localhost:8000/v1",
    "http://[::1]:8000/v1",
    "http://10.1.2.3:8000/v1",
    "http://192.168.1.20:8000/v1",
    "http://172.16.0.5:8000/v1",
    "http://172.31.255.1/v1",
    "http://169.254.10.10/v1",
    "http://[fd12:3456::1]:8000/v1",
    "http://gpu042:8000/v1",  # resolves to a private address
    "http://node7.cluster.local:8000/v1",
    "http://vllm.svc.internal/v1",
    "http://2130706433:8000/v1",  # 127.0.0.1 as one integer
    "http://0x7f000001/v1",
    "http://0177.1/v1",  # octal 127.0.0.1, shortened
    "http://127.1/v1",
    "http://[::ffff:10.0.0.1]/v1",
    "http://127.0.0.1./v1",
    "unix:///tmp/vllm.sock",
]
REFUSED_FOR_CREDENTIALED = [
    "https://8.8.8.8/v1",
    "http://172.32.0.1:8000/v1",  # just outside 172.16.0.0/12
    "http://11.0.0.1/v1",
    "https://api.openai.com/v1",
    "https://llm.example.org:8443/v1",
    "http://localhost.example.com/v1",
    "http://[2001:4860:4860::8888]/v1",
]
# 8.8.8.8 and api.openai.com in the spellings an HTTP client reads the same way
DISGUISED = [
    "http://134744072:8000/v1",
    "http://0x08080808/v1",
    "http://01002004010/v1",
    "http://8.8.2056/v1",
    "http://8.526344/v1",
    "http://0x8.0x8.0x8.0x8/v1",
    "http://010.010.010.010/v1",
    "http://[::ffff:8.8.8.8]/v1",
    "http://[::ffff:808:808]/v1",
    "http://8.8.8.8./v1",
    "http://api\u3002openai\u3002com/v1",
    "http://api\uff0eopenai\uff0ecom/v1",
    "http://api\uff61openai\uff61com./v1",
    "http://API.OpenAI.com./v1",
    "http://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/v1",  # IDNA: xn--e1afmkfd.xn--p1ai
    "http://gpu043:8000/v1",  # a single-label name that does not resolve
    "http://split.example.net/v1",  # not every address is private
    "http://127.0.0.1:8000\\@8.8.8.8/v1",  # the client reads 8.8.8.8
]


@pytest.mark.parametrize("url", ALLOWED_FOR_CREDENTIALED)
def test_local_and_private_endpoints_may_receive_credentialed_data(url):
    assert is_local_endpoint(url)
    check_data_use(url, data_is_synthetic=False)


@pytest.mark.parametrize("url", REFUSED_FOR_CREDENTIALED + DISGUISED)
def test_public_endpoints_are_refused_for_credentialed_data(url):
    assert not is_local_endpoint(url)
    with pytest.raises(DataUseError, match="allow_external_lm"):
        check_data_use(url, data_is_synthetic=False)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://134744072/v1", "134744072"),
        ("http://api\u3002openai\u3002com/v1", "api.openai.com"),
        ("http://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/v1", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_hosts_are_read_as_the_client_reads_them(url, host):
    endpoint = parse_endpoint(url)
    assert endpoint.host == host
    if host.isdigit():
        assert str(endpoint.address) == "8.8.8.8"


@pytest.mark.parametrize("url", REFUSED_FOR_CREDENTIALED)
def test_synthetic_data_may_go_anywhere(url):
    check_data_use(url, data_is_synthetic=True)


@pytest.mark.parametrize("url", [*REFUSED_FOR_CREDENTIALED, "http://0x08080808/v1"])
def test_allow_external_lm_overrides_the_refusal(url):
    check_data_use(url, data_is_synthetic=False, allow_external=True)


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("https://llm.example.org:8443/v1", "llm.example.org"),
        ("https://llm.example.org:8443/v1", ".example.org"),
        ("https://example.org/v1", ".example.org"),
        ("https://llm.example.org:8443/v1", "https://llm.example.org:8443/v1"),
        ("https://llm.example.org:8443/v1", "https://llm.example.org:8443"),
        ("https://LLM.example.org./v1", "https://llm.example.org/v1"),
        ("http://100.64.1.2:8000/v1", "100.64.0.0/10"),
        ("https://8.8.8.8/v1", "8.8.8.8"),
        ("http://134744072/v1", "8.8.8.8"),
        ("https://llm.example.org/v1", "93.184.216.0/24"),  # a name whose addresses are all in the CIDR
        ("https://llm.example.org/v1", {"endpoint": "llm.example.org", "via_proxy": False}),
    ],
)
def test_allow_listed_endpoints_may_receive_credentialed_data(url, entry):
    check_data_use(url, data_is_synthetic=False, allowed_endpoints=[entry])


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("https://evil-example.org/v1", ".example.org"),
        ("https://llm.example.org.attacker.net/v1", "llm.example.org"),
        ("https://llm.example.org:8443/v2", "https://llm.example.org:8443/v1"),
        ("https://llm.example.org:8443/v1x", "https://llm.example.org:8443/v1"),
        ("https://llm.example.org:84430/v1", "https://llm.example.org:8443"),
        ("http://llm.example.org/v1", "https://llm.example.org/v1"),
        ("http://100.128.0.1/v1", "100.64.0.0/10"),
        ("http://split.example.net/v1", "10.0.0.0/8"),
    ],
)
def test_allow_list_matches_exactly(url, entry):
    with pytest.raises(DataUseError):
        check_data_use(url, data_is_synthetic=False, allowed_endpoints=[entry])


def test_refusal_names_the_host_and_the_fixes():
    with pytest.raises(DataUseError) as info:
        check_data_use("https://user:hunter2@api.openai.com/v1", data_is_synthetic=False)
    message = str(info.value)
    assert "'api.openai.com'" in message and "104.18.6.192" in message
    assert "lm.allowed_endpoints" in message and "lm.allow_external_lm=true" in message
    assert "\n" not in message and "hunter2" not in message


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "https_proxy", "ALL_PROXY"])
def test_a_proxy_variable_refuses_credentialed_traffic_even_to_loopback(monkeypatch, variable):
    monkeypatch.setenv(variable, "http://127.0.0.1:3128")
    with pytest.raises(DataUseError, match=f"while {variable} is set"):
        check_data_use("http://127.0.0.1:8000/v1", data_is_synthetic=False)
    with pytest.raises(DataUseError, match="via_proxy: true"):
        check_data_use("https://llm.example.org/v1", data_is_synthetic=False, allowed_endpoints=["llm.example.org"])
    check_data_use("http://127.0.0.1:8000/v1", data_is_synthetic=True)  # synthetic data may use the proxy


def test_via_proxy_or_an_exact_no_proxy_entry_lets_credentialed_traffic_through(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    entry = {"endpoint": "https://llm.example.org/v1", "via_proxy": True}
    check_data_use("https://llm.example.org/v1", data_is_synthetic=False, allowed_endpoints=[entry])
    monkeypatch.setenv("NO_PROXY", "localhost, 127.0.0.1")
    check_data_use("http://127.0.0.1:8000/v1", data_is_synthetic=False)
    with pytest.raises(DataUseError, match="HTTPS_PROXY"):  # NO_PROXY names 127.0.0.1, not gpu042
        check_data_use("http://gpu042:8000/v1", data_is_synthetic=False)
