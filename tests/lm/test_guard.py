"""The data-use guard: credentialed cases go only to local, private or allow-listed endpoints."""

from __future__ import annotations

import pytest

from cdmbench.lm import DataUseError, check_data_use, is_local_endpoint

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
    "http://gpu042:8000/v1",
    "http://node7.cluster.local:8000/v1",
    "http://vllm.svc.internal/v1",
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


@pytest.mark.parametrize("url", ALLOWED_FOR_CREDENTIALED)
def test_local_and_private_endpoints_may_receive_credentialed_data(url):
    assert is_local_endpoint(url)
    check_data_use(url, data_is_synthetic=False)


@pytest.mark.parametrize("url", REFUSED_FOR_CREDENTIALED)
def test_public_endpoints_are_refused_for_credentialed_data(url):
    assert not is_local_endpoint(url)
    with pytest.raises(DataUseError, match="allow_external_lm"):
        check_data_use(url, data_is_synthetic=False)


@pytest.mark.parametrize("url", REFUSED_FOR_CREDENTIALED)
def test_synthetic_data_may_go_anywhere(url):
    check_data_use(url, data_is_synthetic=True)


@pytest.mark.parametrize("url", REFUSED_FOR_CREDENTIALED)
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
        ("http://100.64.1.2:8000/v1", "100.64.0.0/10"),
        ("https://8.8.8.8/v1", "8.8.8.8"),
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
        ("https://llm.example.org:84430/v1", "https://llm.example.org:8443"),
        ("http://100.128.0.1/v1", "100.64.0.0/10"),
    ],
)
def test_allow_list_matches_exactly(url, entry):
    with pytest.raises(DataUseError):
        check_data_use(url, data_is_synthetic=False, allowed_endpoints=[entry])


def test_refusal_names_the_host_and_the_fixes():
    with pytest.raises(DataUseError) as info:
        check_data_use("https://api.example.com/v1", data_is_synthetic=False)
    message = str(info.value)
    assert "'api.example.com'" in message
    assert "lm.allowed_endpoints" in message and "lm.allow_external_lm=true" in message
    assert "\n" not in message
