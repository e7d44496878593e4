// The web client in a real browser against a real parleyd: chat in a channel and in
// private, with other browsers and a raw TCP client; markup from the network shown as
// text; reconnecting after a restart; history after a reload.  With
// PARLEY_SCREENSHOTS=1 the last test saves the main views to docs/screenshots/.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, test } from "node:test";

import { DESKTOP, PHONE, RawClient, SHOTS, Server, User, launch } from "./harness.mjs";

let browser;
const servers = [];
const users = [];
const raws = [];

async function server(args = []) {
	const s = new Server(args);
	servers.push(s);
	await s.start();
	return s;
}

async function user(s, opts) {
	const u = await User.open(browser, s, opts);
	users.push(u);
	return u;
}

async function raw(s, nick) {
	const r = new RawClient(s.ircPort);
	raws.push(r);
	await r.connect(nick);
	return r;
}

// Does the server offer a capability whose name matches re?  Asked over a raw
// connection, in every CAP LS line (302 splits a long list).
async function offers(s, re) {
	const r = new RawClient(s.ircPort);
	raws.push(r);
	await r.connect("capprobe");
	r.send("CAP LS 302");
	await r.expect((l) => / CAP \S+ LS :/.test(l));	// the last of the LS lines
	r.close();
	return r.lines.some((l) => / CAP \S+ LS /.test(l) && re.test(l));
}

function offersHistory(s) {
	return offers(s, /[ :](draft\/)?chathistory(=| |$)/);
}

before(async () => {
	browser = await launch();
});

// Close every user, raw client and server the test made.
async function cleanup() {
	for (const u of users.splice(0))
		await u.close();
	for (const r of raws.splice(0))
		r.close();
	for (const s of servers.splice(0))
		await s.remove();
}

// Each test's pages must have reported no error, a refused inline script or style
// (the server's Content-Security-Policy) among them.
afterEach(async () => {
	const problems = users.flatMap((u) => u.problems);
	await cleanup();
	assert.deepEqual(problems, [], "the pages reported errors");
});

// node 20 runs no afterEach after a test that called t.skip(): clean up here too.
after(async () => {
	await cleanup();
	await browser?.close();
});

test("two browsers and a raw client chat in a channel and in private", async () => {
	const s = await server();
	const alice = await user(s, { nick: "alice", channels: ["#parley"] });
	const bob = await user(s, { nick: "bob", channels: ["#parley"] });
	const carl = await raw(s, "carl");
	carl.send("JOIN #parley");
	await carl.expect((l) => / 366 carl #parley /.test(l));

	// The members, the channel's operator first with its prefix.
	const members = alice.page.locator("#member-list li");
	await members.nth(2).waitFor();
	assert.deepEqual(await members.evaluateAll((els) => els.map((e) => e.textContent)),
	    ["@alice", "bob", "carl"]);

	await alice.say("hello from alice");
	await bob.line("hello from alice").waitFor();
	await carl.expect((l) => /^:alice!\S+ PRIVMSG #parley :hello from alice$/.test(l));
	carl.send("PRIVMSG #parley :hi, I am on TCP");
	await alice.line("hi, I am on TCP").waitFor();
	await bob.line("hi, I am on TCP").waitFor();

	// An action, once in the sender's window (echo-message or not) and once elsewhere.
	await bob.say("/me waves");
	await alice.page.locator("#log .line.action", { hasText: "waves" }).waitFor();
	await carl.expect((l) => l.endsWith("PRIVMSG #parley :\x01ACTION waves\x01"));
	carl.send("PRIVMSG #parley :after the wave");
	await bob.line("after the wave").waitFor();
	assert.equal(await bob.page.locator("#log .line.action").count(), 1);

	// Private: browser to browser opens a window on both sides, with an unread count.
	await alice.say("/msg bob psst, bob");
	await alice.page.locator("#win-name", { hasText: "bob" }).waitFor();
	const badge = bob.windowButton("alice").locator(".badge");
	assert.equal(await badge.innerText(), "1");
	assert.ok(await bob.windowButton("alice").evaluate((b) =>
	    b.classList.contains("highlight")), "a private message highlights its window");
	await bob.open("alice");
	await bob.line("psst, bob").waitFor();
	assert.equal(await bob.windowButton("alice").locator(".badge").count(), 0);
	await bob.say("hi alice");
	await alice.line("hi alice").waitFor();

	// Private with the raw client, both ways.
	carl.send("PRIVMSG alice :raw to browser");
	await alice.windowButton("carl").waitFor();
	await alice.open("carl");
	await alice.line("raw to browser").waitFor();
	await alice.say("browser to raw");
	await carl.expect((l) => /^:alice!\S+ PRIVMSG carl :browser to raw$/.test(l));

	// A mention in a window not shown highlights it.
	carl.send("PRIVMSG #parley :alice: are you there?");
	const chan = alice.windowButton("#parley");
	await chan.locator(".badge").waitFor();
	assert.ok(await chan.evaluate((b) => b.classList.contains("highlight")));
	await alice.open("#parley");
	await alice.page.locator("#log .line.highlight", { hasText: "are you there" }).waitFor();

	// The topic, a nick change and a part, as the other side sees them.
	await bob.open("#parley");
	await alice.say("/topic Welcome to parley");
	await bob.page.locator("#win-topic", { hasText: "Welcome to parley" }).waitFor();
	await bob.say("/nick bobby");
	await alice.page.locator("#member-list li", { hasText: "bobby" }).waitFor();
	await carl.expect((l) => /^:bob!\S+ NICK :?bobby$/.test(l));
	await alice.say("/part");
	await carl.expect((l) => /^:alice!\S+ PART #parley/.test(l));
	await bob.line("alice left").waitFor();
});

test("markup and script from the network are shown as text; links are links", async () => {
	const s = await server();
	const eve = await raw(s, "eve");
	eve.send("JOIN #x");
	await eve.expect((l) => / 366 eve #x /.test(l));
	const dora = await user(s, { nick: "dora", channels: ["#x"] });
	const evil = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">" +
	    "<b>bold</b>&amp;";
	eve.send("PRIVMSG #x :" + evil);
	eve.send("PRIVMSG #x :see https://example.org/a?b=1&c=2, or javascript:alert(1)");
	eve.send("TOPIC #x :<i>topic</i> https://example.org/t");
	const line = dora.line("<script>");
	await line.waitFor();
	assert.equal(await line.locator(".text").innerText(), evil);
	assert.equal(await dora.page.locator("#log script, #log img, #log b, #log i").count(),
	    0);
	assert.equal(await dora.page.evaluate(() => window.pwned), undefined);

	await dora.line("see https").waitFor();
	const link = dora.line("see https").locator("a");
	assert.equal(await link.count(), 1, "only the https URL is a link");
	assert.equal(await link.getAttribute("href"), "https://example.org/a?b=1&c=2");
	assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
	await dora.page.locator("#win-topic", { hasText: "<i>topic</i>" }).waitFor();
	assert.equal(await dora.page.locator("#win-topic a").getAttribute("href"),
	    "https://example.org/t");
});

test("keyboard: Enter sends, Up recalls, Alt+digit switches windows", async () => {
	const s = await server();
	const fay = await user(s, { nick: "fay", channels: ["#one", "#two"] });
	await fay.page.keyboard.press("Alt+2");
	await fay.page.locator("#win-name", { hasText: "#one" }).waitFor();
	await fay.page.keyboard.press("Alt+3");
	await fay.page.locator("#win-name", { hasText: "#two" }).waitFor();
	await fay.say("first line");
	await fay.line("first line").waitFor();
	await fay.page.focus("#input");
	await fay.page.keyboard.press("ArrowUp");
	assert.equal(await fay.page.inputValue("#input"), "first line");
	await fay.page.keyboard.press("ArrowDown");
	assert.equal(await fay.page.inputValue("#input"), "");
	await fay.page.keyboard.press("Alt+1");
	await fay.page.locator("#win-name", { hasText: "Server" }).waitFor();
});

test("a nickname in use gets an underscore until one is free", async () => {
	const s = await server();
	await user(s, { nick: "kay", channels: ["#n"] });
	const other = await user(s, { nick: "kay", channels: ["#n"] });
	await other.page.locator("#me", { hasText: /^kay_$/ }).waitFor();
	await other.page.locator("#member-list li", { hasText: /^kay_$/ }).waitFor();
});

test("a user logs in to an account with SASL PLAIN", async (t) => {
	const s = await server();
	if (!await offers(s, /[ :]sasl(=| |$)/) ||
	    !await offers(s, /[ :]draft\/account-registration(=| |$)/)) {
		t.skip("the server offers no accounts yet");
		return;
	}
	const reg = await raw(s, "nia");
	reg.send("REGISTER * * :a long enough password");
	await reg.expect((l) => / REGISTER SUCCESS nia /.test(l), 10000);
	reg.send("QUIT");
	const ok = await user(s, {});
	const login = async (u, password) => {
		await u.page.click("#login-account summary");
		await u.page.fill("#login-user", "nia");
		await u.page.fill("#login-pass", password);
	};
	await login(ok, "a long enough password");
	await ok.login("nia", ["#acct"]);
	await ok.open("Server");
	await ok.line("You are now logged in as nia").waitFor();

	const bad = await user(s, {});
	await login(bad, "the wrong password");
	await bad.login("other", []);
	await bad.page.locator("#log .line.error", { hasText: "Login failed" }).waitFor();
});

test("the client reconnects after the server restarts and rejoins its channels",
    async () => {
	const s = await server();
	const gus = await user(s, { nick: "gus", channels: ["#back", "#again"] });
	await s.stop();
	await gus.page.locator("#status", { hasText: /^reconnecting/ }).waitFor();
	await s.start();
	await gus.page.locator("#status", { hasText: /^connected$/ }).waitFor(
	    { timeout: 30000 });
	const hal = await raw(s, "hal");
	hal.send("JOIN #back");
	await hal.expect((l) => / 353 hal . #back :.*\bgus\b/.test(l), 10000);
	hal.send("JOIN #again");
	await hal.expect((l) => / 353 hal . #again :.*\bgus\b/.test(l), 10000);
	await gus.open("#back");
	await gus.say("still here");
	await hal.expect((l) => /^:gus!\S+ PRIVMSG #back :still here$/.test(l));
	// Chromium logs each refused attempt while the server was down.
	gus.problems = gus.problems.filter((p) => !/ERR_CONNECTION_REFUSED/.test(p));
});

test("history appears after a reload", async (t) => {
	const s = await server();
	if (!await offersHistory(s)) {
		t.skip("the server does not offer chathistory yet");
		return;
	}
	const ida = await user(s, { nick: "ida", channels: ["#hist"] });
	const jon = await raw(s, "jon");
	jon.send("JOIN #hist");
	await jon.expect((l) => / 366 jon #hist /.test(l));
	jon.send("PRIVMSG #hist :said before the reload");
	await ida.line("said before the reload").waitFor();
	await ida.page.reload();
	await ida.page.locator("#status", { hasText: /^connected$/ }).waitFor();
	await ida.open("#hist");
	await ida.line("said before the reload").waitFor();
});

test("scrolling to the top of the log loads older history, page by page", async (t) => {
	// One client says 130 lines at once: without flood control.
	const dir = mkdtempSync(path.join(os.tmpdir(), "parley-browser-"));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	const conf = path.join(dir, "parleyd.conf");
	writeFileSync(conf, "[limits]\nflood_burst = 0\n");
	const s = await server(["-c", conf]);
	if (!await offersHistory(s)) {
		t.skip("the server does not offer chathistory yet");
		return;
	}
	const lou = await raw(s, "lou");
	lou.send("JOIN #long");
	await lou.expect((l) => / 366 lou #long /.test(l));
	for (let i = 1; i <= 130; i++)
		lou.send("PRIVMSG #long :line " + i);
	lou.send("PING :sent");
	await lou.expect((l) => /PONG.*sent/.test(l));
	const max = await user(s, { nick: "max", channels: ["#long"] });
	await max.line(/line 130$/).waitFor();
	const said = max.page.locator("#log .line", { hasText: /line \d+$/ });
	const first = await said.count();
	assert.ok(first > 0 && first <= 50, "one page on join, not " + first);
	// Each scroll to the top asks for the page before; the last one is short.
	for (let i = 0; i < 5 && await max.line(/line 1$/).count() === 0; i++) {
		const shown = await max.page.locator("#log .line").count();
		await max.page.evaluate(() => {
			const log = document.getElementById("log");
			log.scrollTop = 0;
			log.dispatchEvent(new Event("scroll"));
		});
		await max.page.waitForFunction((n) =>
		    document.querySelectorAll("#log .line").length > n, shown);
	}
	assert.equal(await said.count(), 130, "every line once");
	assert.match(await said.first().innerText(), /line 1$/);
	assert.match(await said.last().innerText(), /line 130$/);
});

// The main views at desktop and phone size, light and dark, into docs/screenshots/.
test("screenshots", async (t) => {
	if (!SHOTS) {
		t.skip("set PARLEY_SCREENSHOTS=1 to save them");
		return;
	}
	mkdirSync(SHOTS, { recursive: true });
	const s = await server();
	const ops = await raw(s, "kim");
	ops.send("JOIN #parley");
	await ops.expect((l) => / 366 kim #parley /.test(l));
	ops.send("TOPIC #parley :The parley IRC server: https://example.org/parley");
	const lee = await raw(s, "lee");
	lee.send("JOIN #parley");
	lee.send("JOIN #help");
	await lee.expect((l) => / 366 lee #help /.test(l));
	ops.send("MODE #parley +v lee");
	for (const scheme of ["light", "dark"])
		for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]])
			await shoot(s, ops, lee, scheme, size, viewport);
});

async function shoot(s, ops, lee, scheme, size, viewport) {
	const name = (view) => path.join(SHOTS, size + "-" + scheme + "-" + view + ".png");
	const nick = size === "desktop" ? "you" : "me";
	const u = await user(s, { viewport, scheme });
	await u.page.fill("#login-nick", nick);
	await u.page.fill("#login-channels", "#parley #help");
	await u.page.screenshot({ path: name("login") });
	await u.login(nick, ["#parley", "#help"]);
	await u.open("#parley");
	ops.send("PRIVMSG #parley :Welcome! The web client is served by parleyd itself.");
	lee.send("PRIVMSG #parley :\x01ACTION waves from irssi\x01");
	ops.send("PRIVMSG #parley :" + nick + ": try /join, /msg and Alt+1..9");
	await u.say("Thanks! Links work too: https://example.org/docs");
	lee.send("PRIVMSG #help :anyone around?");
	lee.send("PRIVMSG " + nick + " :hi there, a private message");
	await u.windowButton("lee").locator(".badge").waitFor();
	await u.page.waitForTimeout(400);	// the sidebar slides away
	await u.page.screenshot({ path: name("chat") });
	if (size === "phone") {
		await u.page.click("#toggle-sidebar");
		await u.page.waitForTimeout(400);
		await u.page.screenshot({ path: name("sidebar") });
	}
	await u.page.evaluate(() => localStorage.clear());
	await u.close();
}
