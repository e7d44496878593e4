// The web client's entry point: joins the connection (irc.js) to the state (state.js)
// and the page (ui.js).  Server lines become state here, typed lines become commands.

import { IrcClient, parseSource } from "./irc.js";
import { State } from "./state.js";
import { Ui } from "./ui.js";
import { runInput } from "./commands.js";

const HISTORY_PAGE = 50;
const SAVED = "parley.login";

const state = new State();
const ui = new Ui(state);
const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/";
const client = new IrcClient(url);
const sent = [];		// lines typed, newest last, for Up and Down
let sentAt = 0;

// A server line as a log line.
function line(msg, kind, text, extra = {}) {
	const nick = parseSource(msg.source).nick;
	const time = msg.tags.time ? new Date(msg.tags.time) : new Date();
	return {
		time: isNaN(time) ? new Date() : time, kind, nick, text,
		self: state.fold(nick) === state.fold(state.nick), highlight: false,
		msgid: msg.tags.msgid, ...extra,
	};
}

// Where a message to target from nick belongs: the channel, or the other party's query.
function windowFor(target, nick, self) {
	if (client.isupport.isChannel(target))
		return state.open(target, "channel");
	return state.open(self ? target : nick, "query");
}

// A PRIVMSG or NOTICE as a log line in its window; notices from servers to the server's.
function chatLine(msg, history = false) {
	const [target = "", text = ""] = msg.params;
	const src = parseSource(msg.source);
	const self = state.fold(src.nick) === state.fold(state.nick);
	let kind = msg.command === "NOTICE" ? "notice" : "privmsg";
	let body = text;
	const ctcp = /^\x01(\S+) ?(.*?)\x01?$/s.exec(text);
	if (ctcp && ctcp[1].toUpperCase() === "ACTION") {
		kind = "action";
		body = ctcp[2];
	} else if (ctcp)
		return null;
	const serverNotice = src.user === "" && (src.nick.includes(".") || target === "*");
	const win = serverNotice ? state.server : windowFor(target, src.nick, self);
	const l = line(msg, kind, body);
	l.highlight = !self && state.mentions(body);
	return { win, line: l, history };
}

function onMessage(msg) {
	const p = msg.params;
	const src = parseSource(msg.source);
	const self = state.fold(src.nick) === state.fold(state.nick);
	switch (msg.command) {
	case "PRIVMSG":
	case "NOTICE": {
		const c = chatLine(msg);
		if (c)
			state.add(c.win, c.line);
		return;
	}
	case "JOIN": {
		const win = state.open(p[0], "channel");
		if (self) {
			win.joined = true;
			win.rejoin = false;
			win.members.clear();
			fetchRecent(win);
			state.changed("windows");
			if (state.active === state.server)
				state.activate(win);
		}
		state.addName(win, src.nick);
		state.changed("members", win);
		state.add(win, line(msg, "join", src.nick + " joined " + p[0], { nick: "" }));
		return;
	}
	case "PART":
	case "KICK": {
		const win = state.get(p[0]);
		if (!win)
			return;
		const who = msg.command === "KICK" ? p[1] : src.nick;
		win.members.delete(state.fold(who));
		const reason = p[msg.command === "KICK" ? 2 : 1];
		const text = msg.command === "KICK" ? who + " was kicked by " + src.nick :
		    who + " left";
		state.add(win, line(msg, "part", text + (reason ? " (" + reason + ")" : ""),
		    { nick: "" }));
		if (state.fold(who) === state.fold(state.nick)) {
			win.joined = false;
			win.members.clear();
			state.changed("windows");
		}
		state.changed("members", win);
		return;
	}
	case "QUIT":
		for (const win of state.windowsOf(src.nick)) {
			win.members.delete(state.fold(src.nick));
			state.add(win, line(msg, "quit", src.nick + " quit" +
			    (p[0] ? " (" + p[0] + ")" : ""), { nick: "" }));
			state.changed("members", win);
		}
		return;
	case "NICK":
		for (const win of state.windowsOf(src.nick))
			state.add(win, line(msg, "nick", src.nick + " is now " + p[0],
			    { nick: "" }));
		state.rename(src.nick, p[0]);
		if (self) {
			state.nick = p[0];
			state.changed("nick");
		}
		return;
	case "TOPIC": {
		const win = state.open(p[0], "channel");
		win.topic = p[1] || "";
		state.add(win, line(msg, "topic", src.nick + " set the topic: " + win.topic,
		    { nick: "" }));
		state.changed("topic", win);
		return;
	}
	case "MODE":
		onMode(msg);
		return;
	case "001":
		state.nick = p[0];
		state.casemapping = client.isupport.casemapping;
		state.changed("nick");
		break;
	case "005":
		state.casemapping = client.isupport.casemapping;
		state.prefixChars = client.isupport.prefixChars;
		break;
	case "332": {
		const win = state.open(p[1], "channel");
		win.topic = p[2] || "";
		state.changed("topic", win);
		return;
	}
	case "331":
	case "333":
	case "366":
		return;
	case "353": {
		const win = state.get(p[2]);
		if (!win)
			break;
		for (const entry of (p[3] || "").split(" "))
			state.addName(win, entry);
		state.changed("members", win);
		return;
	}
	case "FAIL":
	case "WARN":
	case "NOTE":
		state.info(state.active, p.slice(2).join(" "), msg.command === "FAIL" ?
		    "error" : "info");
		return;
	case "ERROR":
		state.info(state.server, p[0] || "", "error");
		return;
	}
	if (/^[0-9]{3}$/.test(msg.command)) {
		const text = p.slice(1).join(" ");
		const bad = msg.command[0] === "4" || msg.command[0] === "5";
		state.info(bad ? state.active : state.server, text, bad ? "error" : "info");
	}
}

// A channel MODE: prefixes change members; the line is shown either way.
function onMode(msg) {
	const [target = "", modes = "", ...args] = msg.params;
	const win = state.get(target);
	if (!win || win.kind !== "channel")
		return;
	const is = client.isupport;
	let on = true;
	for (const c of modes) {
		if (c === "+" || c === "-") {
			on = c === "+";
			continue;
		}
		const prefix = is.prefixModes.indexOf(c);
		if (prefix >= 0) {
			state.setPrefix(win, args.shift() || "", is.prefixChars[prefix], on);
			continue;
		}
		if (is.chanModes[0].includes(c) || is.chanModes[1].includes(c) ||
		    (on && is.chanModes[2].includes(c)))
			args.shift();
	}
	state.add(win, line(msg, "mode", parseSource(msg.source).nick + " set mode " +
	    msg.params.slice(1).join(" "), { nick: "" }));
}

// On joining: the latest history, or what came since the newest line we have.
function fetchRecent(win) {
	const cmd = client.historyCap();
	if (!cmd)
		return;
	const newest = win.newest();
	win.wantLatest = !newest;
	if (newest)
		client.send(cmd, "AFTER", win.name, newest, String(HISTORY_PAGE));
	else
		client.send(cmd, "LATEST", win.name, "*", String(HISTORY_PAGE));
	win.historyBusy = true;
}

// Scrolled to the top: the page of history before the oldest line.
function fetchOlder(win) {
	const cmd = client.historyCap();
	const oldest = win.oldest();
	if (!cmd || win.kind === "server" || !win.historyMore || win.historyBusy || !oldest)
		return;
	win.historyBusy = true;
	win.wantOlder = true;
	client.send(cmd, "BEFORE", win.name, oldest, String(HISTORY_PAGE));
}

function onHistory({ target, messages }) {
	const lines = messages.map((m) => m.command === "PRIVMSG" ||
	    m.command === "NOTICE" ? chatLine(m, true) : null).filter((c) => c !== null);
	const win = lines.length > 0 ? lines[0].win : state.get(target);
	if (!win)
		return;
	win.historyBusy = false;
	const list = lines.map((c) => c.line);
	if (win.wantOlder) {
		win.wantOlder = false;
		if (state.prepend(win, list) === 0 || messages.length < HISTORY_PAGE)
			win.historyMore = false;
	} else {
		if (win.wantLatest && messages.length < HISTORY_PAGE)
			win.historyMore = false;
		state.merge(win, list);
	}
}

function onRegistered() {
	ui.setStatus("connected");
	const saved = load();
	const channels = new Set(saved.channels || []);
	for (const win of state.list())
		if (win.kind === "channel" && (win.joined || win.rejoin))
			channels.add(win.name);
	for (const name of channels)
		client.send("JOIN", name);
	if (!client.historyCap())
		for (const win of state.list())
			win.historyMore = false;
}

function onStatus({ state: s, delay }) {
	if (s === "waiting") {
		for (const win of state.list())
			if (win.kind === "channel" && win.joined) {
				win.joined = false;
				win.rejoin = true;
				win.members.clear();
				state.changed("members", win);
			}
		state.changed("windows");
		ui.setStatus("reconnecting in " + Math.ceil(delay / 1000) + " s", true);
		if (!ui.el.chat.hidden)
			state.info(state.server, "Disconnected; reconnecting in " +
			    Math.ceil(delay / 1000) + " s", "error");
	} else if (s === "connecting" || s === "registering")
		ui.setStatus(s);
	else if (s === "closed")
		ui.setStatus("disconnected", true);
}

function load() {
	try {
		return JSON.parse(localStorage.getItem(SAVED) || "{}");
	} catch {
		return {};
	}
}

// Remember the nick and the joined channels for the next visit (never the password).
function save() {
	const channels = state.list().filter((w) => w.kind === "channel" && (w.joined ||
	    w.rejoin)).map((w) => w.name);
	const old = load();
	localStorage.setItem(SAVED, JSON.stringify({ nick: state.nick || old.nick,
	    channels, username: old.username }));
}

function connect(nick, channels, username, password) {
	localStorage.setItem(SAVED, JSON.stringify({ nick, channels, username }));
	sessionStorage.setItem("parley.auto", password ? "" : "1");
	state.nick = nick;
	ui.showChat();
	client.start({ nick, username: username || "", password: password || "" });
}

function quit(reason) {
	save();
	sessionStorage.removeItem("parley.auto");
	client.stop(reason);
	for (const win of state.list())
		state.close(win);
	state.server.lines = [];
	ui.showLogin();
}

function setupLogin() {
	const saved = load();
	const el = ui.el;
	el.loginServer.textContent = location.host;
	el.nick.value = saved.nick || "";
	el.channels.value = (saved.channels || []).join(" ") || "#parley";
	el.user.value = saved.username || "";
	el.account.open = Boolean(saved.username);
	el.loginForm.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const nick = el.nick.value.trim();
		if (!/^[^\s#&:,*?!@0-9-][^\s,*?!@]*$/.test(nick)) {
			ui.showLogin("That nickname cannot be used.");
			return;
		}
		const channels = el.channels.value.split(/[\s,]+/).filter((c) => c !== "")
		    .map((c) => /^[#&]/.test(c) ? c : "#" + c);
		connect(nick, channels, el.user.value.trim(), el.pass.value);
		el.pass.value = "";
	});
	if (sessionStorage.getItem("parley.auto") === "1" && saved.nick)
		connect(saved.nick, saved.channels || [], "", "");
	else
		ui.showLogin();
}

function setupInput() {
	const input = ui.el.input;
	ui.el.inputForm.addEventListener("submit", (ev) => {
		ev.preventDefault();
		send();
	});
	input.addEventListener("keydown", (ev) => {
		if (ev.key === "Enter" && !ev.shiftKey) {
			ev.preventDefault();
			send();
		} else if (ev.key === "ArrowUp" && sentAt > 0 && !input.value.includes("\n")) {
			ev.preventDefault();
			input.value = sent[--sentAt];
		} else if (ev.key === "ArrowDown" && sentAt < sent.length &&
		    input.selectionStart === input.value.length) {
			ev.preventDefault();
			sentAt++;
			input.value = sentAt < sent.length ? sent[sentAt] : "";
		}
	});
	document.addEventListener("keydown", (ev) => {
		if (!ev.altKey || ev.ctrlKey || ev.metaKey || !/^Digit[0-9]$/.test(ev.code))
			return;
		const n = Number(ev.code.slice(5));
		const win = state.list()[n === 0 ? 9 : n - 1];
		if (win) {
			ev.preventDefault();
			state.activate(win);
		}
	});
	ui.el.memberList.addEventListener("click", (ev) => {
		const li = ev.target.closest("li");
		if (li && li.dataset.nick && state.fold(li.dataset.nick) !== state.fold(state.nick))
			state.activate(state.open(li.dataset.nick, "query"));
	});
}

function send() {
	const input = ui.el.input;
	const text = input.value;
	if (text.trim() === "")
		return;
	sent.push(text);
	if (sent.length > 100)
		sent.shift();
	sentAt = sent.length;
	input.value = "";
	for (const one of text.split("\n"))
		if (one !== "")
			runInput(one, { client, state, quit, line });
	save();
}

client.addEventListener("message", (ev) => onMessage(ev.detail));
client.addEventListener("history", (ev) => onHistory(ev.detail));
client.addEventListener("registered", onRegistered);
client.addEventListener("status", (ev) => onStatus(ev.detail));
client.addEventListener("saslfail", (ev) => state.info(state.server,
    "Login failed: " + ev.detail, "error"));
ui.onTop = fetchOlder;
state.addEventListener("change", (ev) => {
	if (ev.detail.what === "windows" && !client.stopped)
		save();
});
setupLogin();
setupInput();
