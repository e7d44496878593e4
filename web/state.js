// What the client knows: its windows (the server's, channels, private conversations),
// their messages, members, topics and unread counts.  Pure data: the UI draws it.

import { foldName } from "./irc.js";

export const MAX_LINES = 2000;

// One window's member: their nick and the prefixes they hold, highest first.
export class Member {
	constructor(nick, prefixes = "") {
		this.nick = nick;
		this.prefixes = prefixes;
	}
}

export class Window {
	constructor(name, kind) {
		this.name = name;
		this.kind = kind;		// "server", "channel" or "query"
		this.lines = [];		// { time, kind, nick, text, self, highlight, msgid }
		this.members = new Map();	// folded nick -> Member
		this.topic = "";
		this.unread = 0;
		this.highlight = false;
		this.joined = false;
		this.historyMore = true;	// older history may still be fetched
		this.historyBusy = false;
		this.msgids = new Set();
	}

	// Where the oldest and the newest line from the server are, as CHATHISTORY names a
	// point: by msgid, since many lines can share a millisecond; else by time; null
	// with no such line.
	oldest() {
		return this.ref(this.lines.find((l) => l.msgid !== undefined));
	}

	newest() {
		return this.ref(this.lines.findLast((l) => l.msgid !== undefined));
	}

	ref(line) {
		if (!line)
			return null;
		return line.msgid !== "" ? "msgid=" + line.msgid :
		    "timestamp=" + line.time.toISOString();
	}
}

export class State extends EventTarget {
	constructor() {
		super();
		this.casemapping = "rfc1459";
		this.prefixChars = "@+";
		this.nick = "";
		this.windows = new Map();	// folded name -> Window, in sidebar order
		this.server = this.open("server", "server");
		this.active = this.server;
	}

	fold(name) {
		return foldName(name, this.casemapping);
	}

	get(name) {
		return this.windows.get(this.fold(name)) || null;
	}

	// The window called name, made (as kind) when missing.
	open(name, kind) {
		const key = this.fold(name);
		let win = this.windows.get(key);
		if (!win) {
			win = new Window(name, kind);
			this.windows.set(key, win);
			this.changed("windows");
		}
		return win;
	}

	close(win) {
		if (win === this.server)
			return;
		this.windows.delete(this.fold(win.name));
		if (this.active === win)
			this.active = this.server;
		this.changed("windows");
		this.changed("active");
	}

	list() {
		return [...this.windows.values()];
	}

	activate(win) {
		this.active = win;
		win.unread = 0;
		win.highlight = false;
		this.changed("active");
		this.changed("windows");
	}

	changed(what, win = null) {
		this.dispatchEvent(new CustomEvent("change", { detail: { what, win } }));
	}

	// Does text mention our nick as a word?
	mentions(text) {
		if (this.nick === "")
			return false;
		const me = this.fold(this.nick);
		return this.fold(text).split(/[^a-z0-9_\-{}|^`]+/).includes(me);
	}

	// Add a line to win; unread counts and highlights only for chat in other windows.
	add(win, line) {
		if (line.msgid !== undefined) {
			if (win.msgids.has(line.msgid))
				return;
			win.msgids.add(line.msgid);
		}
		win.lines.push(line);
		if (win.lines.length > MAX_LINES)
			win.lines.splice(0, win.lines.length - MAX_LINES);
		const chat = line.kind === "privmsg" || line.kind === "action" ||
		    line.kind === "notice";
		if (win !== this.active && chat && !line.self) {
			win.unread++;
			if (line.highlight || win.kind === "query")
				win.highlight = true;
			this.changed("windows");
		}
		this.changed("line", win);
	}

	// History lines before every line the window has (they come oldest first).
	prepend(win, lines) {
		const fresh = lines.filter((l) => l.msgid === undefined || !win.msgids.has(l.msgid));
		for (const l of fresh)
			if (l.msgid !== undefined)
				win.msgids.add(l.msgid);
		win.lines.unshift(...fresh);
		this.changed("prepend", win);
		return fresh.length;
	}

	// History lines after the newest, in time order among those the window has.
	merge(win, lines) {
		const fresh = lines.filter((l) => l.msgid === undefined || !win.msgids.has(l.msgid));
		for (const l of fresh)
			if (l.msgid !== undefined)
				win.msgids.add(l.msgid);
		win.lines.push(...fresh);
		win.lines.sort((a, b) => a.time - b.time);
		this.changed("reload", win);
	}

	info(win, text, kind = "info") {
		this.add(win, { time: new Date(), kind, nick: "", text, self: false,
		    highlight: false });
	}

	// The rank of a prefix character: 0 for the highest.
	rank(prefixes) {
		const i = prefixes === "" ? -1 : this.prefixChars.indexOf(prefixes[0]);
		return i < 0 ? this.prefixChars.length : i;
	}

	// Members sorted by their highest prefix, then by name.
	sortedMembers(win) {
		return [...win.members.values()].sort((a, b) =>
		    this.rank(a.prefixes) - this.rank(b.prefixes) ||
		    this.fold(a.nick).localeCompare(this.fold(b.nick)));
	}

	// A NAMES entry ("@+nick") into win's members.
	addName(win, entry) {
		let i = 0;
		while (i < entry.length && this.prefixChars.includes(entry[i]))
			i++;
		const nick = entry.slice(i).split("!")[0];
		if (nick !== "")
			win.members.set(this.fold(nick), new Member(nick, this.sortPrefixes(
			    entry.slice(0, i))));
	}

	sortPrefixes(prefixes) {
		return [...prefixes].sort((a, b) => this.prefixChars.indexOf(a) -
		    this.prefixChars.indexOf(b)).join("");
	}

	// Give (or take) a member a prefix character.
	setPrefix(win, nick, char, on) {
		const m = win.members.get(this.fold(nick));
		if (!m)
			return;
		const without = m.prefixes.replace(char, "");
		m.prefixes = this.sortPrefixes(on ? without + char : without);
		this.changed("members", win);
	}

	// Every window but the server's where nick is: channels holding them, their query.
	windowsOf(nick) {
		const key = this.fold(nick);
		return this.list().filter((w) => (w.kind === "channel" && w.members.has(key)) ||
		    (w.kind === "query" && this.fold(w.name) === key));
	}

	rename(oldNick, newNick) {
		const oldKey = this.fold(oldNick);
		for (const w of this.list()) {
			const m = w.members.get(oldKey);
			if (m) {
				w.members.delete(oldKey);
				m.nick = newNick;
				w.members.set(this.fold(newNick), m);
				this.changed("members", w);
			}
		}
		const q = this.windows.get(oldKey);
		if (q && q.kind === "query" && !this.windows.has(this.fold(newNick))) {
			this.windows.delete(oldKey);
			q.name = newNick;
			this.windows.set(this.fold(newNick), q);
			this.changed("windows");
		}
	}
}
