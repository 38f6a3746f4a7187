"""The SMTP sink the drills and the fan-out benchmark send to: it speaks enough SMTP for any
sender, takes a message's text as written, and takes a Message-ID once."""

import smtplib
import socket
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from kieubao.platform.smtp_sink import Sink


def _mail(to: str, text: str, message_id: str | None = "<drill-1@kieubao>") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "kieubao@localhost"
    mail["To"] = to
    mail["Subject"] = "Are you safe?"
    if message_id:
        mail["Message-ID"] = message_id
    mail.set_content(text)
    return mail


def test_a_mail_is_counted_per_recipient_and_a_repeat_of_its_message_id_is_folded() -> None:
    with Sink() as sink, smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        smtp.send_message(_mail("lan@example.vn", "Bạn có an toàn không?"))
        smtp.send_message(_mail("lan@example.vn", "Bạn có an toàn không?"))  # sent again
        smtp.send_message(_mail("minh@example.vn", "Are you safe?", "<drill-2@kieubao>"))
    assert sink.recipients == {"lan@example.vn": 1, "minh@example.vn": 1}
    assert sink.handler.repeats == {"<drill-1@kieubao>": 1}


def test_an_unknown_mailbox_is_refused_and_data_without_a_recipient_too() -> None:
    with Sink() as sink, smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        sink.handler.unknown.add("nobody@example.vn")
        assert smtp.mail("kieubao@localhost")[0] == 250
        assert smtp.rcpt("nobody@example.vn")[0] == 550
        assert smtp.docmd("DATA")[0] == 503
        assert smtp.rset()[0] == 250
    assert sink.received == 0


def test_pipelined_commands_in_one_write_are_answered_in_turn() -> None:
    with Sink() as sink:
        sink.handler.pipelining = True
        with socket.create_connection(("127.0.0.1", sink.port)) as wire:
            reader = wire.makefile("rb")
            assert reader.readline().startswith(b"220")
            wire.sendall(b"EHLO drill\r\n")
            offers = [reader.readline() for _ in range(4)]
            assert b"250-PIPELINING\r\n" in offers
            wire.sendall(
                b"MAIL FROM:<k@localhost>\r\nRCPT TO:<a@example.vn>\r\nDATA\r\n"
                b"Message-ID: <p-1@kieubao>\r\n\r\nhello\r\n.\r\n"
                b"MAIL FROM:<k@localhost>\r\nRCPT TO:<b@example.vn>\r\nDATA\r\n"
            )
            codes = [reader.readline()[:3] for _ in range(7)]
            assert codes == [b"250", b"250", b"354", b"250", b"250", b"250", b"354"]
            wire.sendall(b"Message-ID: <p-2@kieubao>\r\n\r\nhi\r\n.\r\nQUIT\r\n")
            assert [reader.readline()[:3] for _ in range(2)] == [b"250", b"221"]
    assert sink.recipients == {"a@example.vn": 1, "b@example.vn": 1}


lines = st.lists(
    st.text(alphabet=st.sampled_from(". aăâđ\tx"), max_size=12), min_size=1, max_size=6
)


@settings(max_examples=30, deadline=None)
@given(body=lines)
def test_lines_that_start_with_a_dot_arrive_as_written(body: list[str]) -> None:
    text = "\r\n".join(body) + "\r\n"
    got: list[bytes] = []
    with Sink() as sink:
        sink.handler.data = lambda recipients, content: got.append(content) or b"250 OK"  # type: ignore[method-assign]
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            smtp.sendmail("k@localhost", ["a@example.vn"], text.encode())
    [content] = got
    assert content == text.encode()
