"""Account steps that several test files take: REGISTER before registration, and a
SASL PLAIN login during it."""
import base64

from conftest import cmd

PASSWORD = "correct-horse-battery"


def register(srv, nick, password=PASSWORD):
    """REGISTER nick before connection registration through srv: the reply."""
    c = srv.client()
    c.send("NICK %s" % nick)
    c.send("REGISTER * * :%s" % password)
    m = c.expect(lambda m: m.command in ("REGISTER", "FAIL"), timeout=15)
    c.close()
    return m


def sasl_plain(srv, nick, account, password=PASSWORD, caps=""):
    """A client of srv logged in as account with SASL PLAIN during registration (with
    caps acknowledged too), or None when the login fails (904)."""
    c = srv.client()
    c.send("CAP REQ :sasl %s" % caps)
    c.expect(cmd("CAP", "*", "ACK"))
    c.send("NICK %s" % nick)
    c.send("USER u 0 * :R")
    c.send("AUTHENTICATE PLAIN")
    c.expect(cmd("AUTHENTICATE", "+"))
    c.send("AUTHENTICATE %s" % base64.b64encode(
        b"\0" + account.encode() + b"\0" + password.encode()).decode())
    m = c.expect(lambda m: m.command in ("903", "904"), timeout=15)
    if m.command == "904":
        c.close()
        return None
    c.send("CAP END")
    c.expect("001")
    c.sync()
    c.nick = nick
    return c
