// The web client's protocol module (web/irc.js) alone, in node: parsing lines with tags,
// formatting lines that no input can split, case folding, ISUPPORT and the backoff.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Isupport, backoff, foldName, formatLine, parseLine, parseSource } from
    "../../web/irc.js";

test("a line with tags, a source, params and a trailing param", () => {
	const m = parseLine("@time=2026-12-06T21:00:00.000Z;msgid=a\\:b\\sc\\\\d;+x " +
	    ":nick!user@host PRIVMSG #chan :hello  there :)\r\n");
	assert.deepEqual(m.tags, { time: "2026-12-06T21:00:00.000Z", msgid: "a;b c\\d",
	    "+x": "" });
	assert.equal(m.source, "nick!user@host");
	assert.equal(m.command, "PRIVMSG");
	assert.deepEqual(m.params, ["#chan", "hello  there :)"]);
	assert.deepEqual(parseSource(m.source), { nick: "nick", user: "user", host: "host" });
});

test("lines without a source or a trailing param, and empty lines", () => {
	assert.deepEqual(parseLine("ping  token"), { tags: {}, source: null,
	    command: "PING", params: ["token"] });
	assert.deepEqual(parseLine(":irc.localhost 001 me :Welcome").params, ["me",
	    "Welcome"]);
	assert.equal(parseLine(""), null);
	assert.equal(parseLine("@a=b "), null);
	assert.deepEqual(parseSource("irc.localhost"), { nick: "irc.localhost", user: "",
	    host: "" });
});

test("formatted lines make the last param trailing only when they must", () => {
	assert.equal(formatLine("JOIN", "#a"), "JOIN #a");
	assert.equal(formatLine("PRIVMSG", "#a", "two words"), "PRIVMSG #a :two words");
	assert.equal(formatLine("PRIVMSG", "#a", ":)"), "PRIVMSG #a ::)");
	assert.equal(formatLine("TOPIC", "#a", ""), "TOPIC #a :");
});

test("no parameter can smuggle a second line", () => {
	assert.equal(formatLine("PRIVMSG", "#a", "hi\r\nQUIT :bye"), "PRIVMSG #a :hi  QUIT :bye");
	assert.equal(formatLine("NICK", "a\nb"), "NICK :a b");
	assert.equal(formatLine("PRIVMSG", "#a", "nul\0"), "PRIVMSG #a :nul ");
});

test("names fold as the server's CASEMAPPING says", () => {
	assert.equal(foldName("Nick[A]\\~"), "nick{a}|^");
	assert.equal(foldName("Nick[A]\\~", "strict-rfc1459"), "nick{a}|~");
	assert.equal(foldName("Nick[A]", "ascii"), "nick[a]");
});

test("ISUPPORT sets the prefixes, the channel types and the case mapping", () => {
	const is = new Isupport();
	is.add(["PREFIX=(qaohv)~&@%+", "CHANTYPES=#", "CASEMAPPING=ascii",
	    "CHANMODES=b,k,l,nt", "CHATHISTORY=100"]);
	assert.equal(is.prefixModes, "qaohv");
	assert.equal(is.prefixChars, "~&@%+");
	assert.equal(is.casemapping, "ascii");
	assert.deepEqual(is.chanModes, ["b", "k", "l", "nt"]);
	assert.equal(is.chathistory, 100);
	assert.ok(is.isChannel("#a"));
	assert.ok(!is.isChannel("&a"));
	is.add(["PREFIX=(ov)@"]);
	assert.equal(is.prefixChars, "~&@%+", "a PREFIX whose halves differ is ignored");
});

test("the reconnect backoff doubles from 1 s to 30 s, give or take 20%", () => {
	for (let i = 0; i < 20; i++) {
		const d = backoff(i);
		const base = Math.min(30000, 1000 * 2 ** Math.min(i, 5));
		assert.ok(d >= base * 0.8 && d <= base * 1.2, "attempt " + i + ": " + d);
	}
});
