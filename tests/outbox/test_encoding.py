"""Whatever an officer writes reaches the reader as written: any text survives the email
encoding and the SMTP wire, and a recipient's fields fill only their own placeholders."""

import re
from email import message_from_bytes, policy

from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform import channels, outbox

# Text as people type it, line breaks included; no lone surrogates, no bare carriage returns
# (email normalises line endings, which is not a change of content).
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x0b\x0c"))
line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)


@given(subject=line, body=text)
def test_any_subject_and_body_come_back_from_the_wire_unchanged(subject: str, body: str) -> None:
    message = channels.Outgoing(1, "k", "lan@example.vn", subject, body)
    wire = channels.smtp_data(channels.mime_bytes(message, "kieubao@localhost"))
    assert wire.endswith(b"\r\n") and not re.search(rb"(?m)^\.\r\n", wire)
    received = re.sub(rb"(?m)^\.", b"", wire)  # what the server undoes
    parsed = message_from_bytes(received, policy=policy.default)
    assert str(parsed["Subject"]) == subject
    plain = parsed.get_body(("plain",))
    assert plain is not None and plain.get_content().replace("\r\n", "\n") == body


@given(shared=text, name=text)
def test_a_recipients_name_fills_the_placeholder_and_nothing_in_the_shared_text(
    shared: str, name: str
) -> None:
    rendered = outbox.render("notice", "en", {"title": "t", "text": shared})
    body = rendered.body.safe_substitute({"name": name})
    assert body.startswith(f"Dear {name},")
    assert shared.strip() in body
