// The DOM: the login form, the sidebar, the message log, the member list and the input.
// Text from the network only ever becomes text nodes (textContent) or the href of a
// link whose scheme is checked; never markup.

const $ = (id) => document.getElementById(id);

// IRC formatting codes: bold, colour (with its digits), reset, reverse, italic, strike,
// underline, monospace.  Shown as plain text without them.
const FORMATTING = /\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
const URL_RE = /\bhttps?:\/\/[^\s<>"'\x00-\x1f]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

export function stripFormatting(text) {
	return text.replace(FORMATTING, "");
}

// text as a fragment of text nodes and links (http and https only).
export function linkify(text) {
	const frag = document.createDocumentFragment();
	const plain = stripFormatting(text);
	let last = 0;
	for (const m of plain.matchAll(URL_RE)) {
		let url = m[0];
		const trail = TRAILING.exec(url);
		if (trail && !(trail[0].startsWith(")") && url.includes("(")))
			url = url.slice(0, url.length - trail[0].length);
		if (m.index > last)
			frag.append(plain.slice(last, m.index));
		const a = document.createElement("a");
		a.href = url;
		a.textContent = url;
		a.target = "_blank";
		a.rel = "noopener noreferrer";
		frag.append(a);
		last = m.index + url.length;
	}
	if (last < plain.length)
		frag.append(plain.slice(last));
	return frag;
}

// One of eight colours for a nick, always the same one.
function nickColour(nick) {
	let h = 0;
	for (const c of nick.toLowerCase())
		h = (h * 31 + c.codePointAt(0)) >>> 0;
	return "nc" + (h % 8);
}

function pad(n) {
	return String(n).padStart(2, "0");
}

function dayOf(time) {
	return time.toDateString();
}

export class Ui {
	constructor(state) {
		this.state = state;
		this.el = {
			login: $("login"), loginForm: $("login-form"), nick: $("login-nick"),
			channels: $("login-channels"), user: $("login-user"),
			pass: $("login-pass"), account: $("login-account"),
			loginError: $("login-error"), loginServer: $("login-server"),
			chat: $("chat"), me: $("me"), status: $("status"), windows: $("windows"),
			name: $("win-name"), topic: $("win-topic"), log: $("log"),
			members: $("members"), memberList: $("member-list"),
			count: $("members-count"), input: $("input"), inputForm: $("input-form"),
			sidebar: $("sidebar"),
		};
		this.drawn = null;	// the window the log shows
		this.el.log.addEventListener("scroll", () => {
			if (this.el.log.scrollTop < 40 && this.onTop)
				this.onTop(this.state.active);
		});
		$("toggle-sidebar").addEventListener("click", () => this.toggle("show-sidebar"));
		$("toggle-members").addEventListener("click", () => this.toggle("show-members"));
		this.el.log.addEventListener("click", () => this.closePanels());
		state.addEventListener("change", (ev) => this.onChange(ev.detail));
	}

	toggle(cls) {
		const on = !this.el.chat.classList.contains(cls);
		this.el.chat.classList.remove("show-sidebar", "show-members");
		this.el.chat.classList.toggle(cls, on);
	}

	closePanels() {
		this.el.chat.classList.remove("show-sidebar", "show-members");
	}

	showLogin(error = "") {
		this.el.chat.hidden = true;
		this.el.login.hidden = false;
		this.el.loginError.textContent = error;
		this.el.nick.focus();
	}

	showChat() {
		this.el.login.hidden = true;
		this.el.chat.hidden = false;
		this.drawAll();
		this.el.input.focus();
	}

	setStatus(text, bad = false) {
		this.el.status.textContent = text;
		this.el.status.classList.toggle("bad", bad);
	}

	onChange({ what, win }) {
		if (this.el.chat.hidden)
			return;
		if (what === "windows")
			this.drawWindows();
		else if (what === "active")
			this.drawActive();
		else if (what === "line" && win === this.state.active)
			this.appendLine(win.lines[win.lines.length - 1], win);
		else if (what === "prepend" && win === this.state.active) {
			this.redrawKeepingPlace();
			this.fillIfShort(win);
		} else if (what === "reload" && win === this.state.active) {
			this.drawLog(win);
			this.fillIfShort(win);
		}
		else if (what === "members" && win === this.state.active)
			this.drawMembers(win);
		else if (what === "topic" && win === this.state.active)
			this.drawTitle(win);
		else if (what === "nick")
			this.el.me.textContent = this.state.nick;
	}

	drawAll() {
		this.el.me.textContent = this.state.nick;
		this.drawWindows();
		this.drawActive();
	}

	drawWindows() {
		const ul = this.el.windows;
		ul.replaceChildren();
		this.state.list().forEach((win, i) => {
			const li = document.createElement("li");
			const b = document.createElement("button");
			b.type = "button";
			b.className = "win " + win.kind;
			b.classList.toggle("active", win === this.state.active);
			b.classList.toggle("unread", win.unread > 0);
			b.classList.toggle("highlight", win.highlight);
			b.classList.toggle("parted", win.kind === "channel" && !win.joined);
			b.dataset.name = win.name;
			if (i < 10)
				b.title = "Alt+" + ((i + 1) % 10);
			const name = document.createElement("span");
			name.className = "win-name";
			name.textContent = win.kind === "server" ? "Server" : win.name;
			b.append(name);
			if (win.unread > 0) {
				const n = document.createElement("span");
				n.className = "badge";
				n.textContent = win.unread > 999 ? "999+" : String(win.unread);
				b.append(n);
			}
			b.addEventListener("click", () => {
				this.state.activate(win);
				this.closePanels();
				this.el.input.focus();
			});
			li.append(b);
			ul.append(li);
		});
	}

	drawActive() {
		const win = this.state.active;
		this.drawTitle(win);
		this.drawLog(win);
		this.drawMembers(win);
		this.el.chat.classList.toggle("no-members", win.kind !== "channel");
		this.el.input.placeholder = win.kind === "server" ? "Type /join #channel" :
		    "Message " + win.name;
	}

	drawTitle(win) {
		this.el.name.textContent = win.kind === "server" ? "Server" : win.name;
		this.el.topic.replaceChildren(linkify(win.topic));
	}

	drawLog(win) {
		this.drawn = win;
		this.el.log.replaceChildren();
		this.lastDay = null;
		const frag = document.createDocumentFragment();
		for (const line of win.lines)
			frag.append(...this.lineNodes(line));
		this.el.log.append(frag);
		this.el.log.scrollTop = this.el.log.scrollHeight;
	}

	// Older lines came in above: draw again and keep the reader where they were.
	redrawKeepingPlace() {
		const log = this.el.log;
		const fromBottom = log.scrollHeight - log.scrollTop;
		this.drawLog(this.state.active);
		log.scrollTop = log.scrollHeight - fromBottom;
	}

	// A log too short to scroll cannot be scrolled to its top: ask for more at once.
	fillIfShort(win) {
		const log = this.el.log;
		if (log.scrollHeight <= log.clientHeight && this.onTop)
			this.onTop(win);
	}

	appendLine(line, win) {
		if (this.drawn !== win)
			return this.drawLog(win);
		const log = this.el.log;
		const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
		log.append(...this.lineNodes(line));
		if (atBottom || line.self)
			log.scrollTop = log.scrollHeight;
	}

	// A line's nodes: a day separator first when its day differs from the last one's.
	lineNodes(line) {
		const nodes = [];
		const day = dayOf(line.time);
		if (this.lastDay !== null && day !== this.lastDay) {
			const sep = document.createElement("div");
			sep.className = "day";
			sep.textContent = line.time.toLocaleDateString(undefined,
			    { weekday: "long", year: "numeric", month: "long", day: "numeric" });
			nodes.push(sep);
		}
		this.lastDay = day;
		const div = document.createElement("div");
		div.className = "line " + line.kind;
		div.classList.toggle("self", line.self);
		div.classList.toggle("highlight", line.highlight);
		const t = document.createElement("time");
		t.dateTime = line.time.toISOString();
		t.title = line.time.toLocaleString();
		t.textContent = pad(line.time.getHours()) + ":" + pad(line.time.getMinutes());
		div.append(t);
		const text = document.createElement("span");
		text.className = "text";
		if (line.nick !== "") {
			const n = document.createElement("span");
			n.className = "nick " + nickColour(line.nick);
			n.textContent = line.kind === "action" ? "* " + line.nick : line.nick;
			div.append(n);
		}
		text.append(linkify(line.text));
		div.append(text);
		nodes.push(div);
		return nodes;
	}

	drawMembers(win) {
		const ul = this.el.memberList;
		ul.replaceChildren();
		if (win.kind !== "channel") {
			this.el.count.textContent = "";
			return;
		}
		const members = this.state.sortedMembers(win);
		this.el.count.textContent = members.length === 1 ? "1 member" :
		    members.length + " members";
		for (const m of members) {
			const li = document.createElement("li");
			const p = document.createElement("span");
			p.className = "prefix";
			p.textContent = m.prefixes.slice(0, 1);
			const n = document.createElement("span");
			n.className = "nick " + nickColour(m.nick);
			n.textContent = m.nick;
			li.append(p, n);
			li.dataset.nick = m.nick;
			ul.append(li);
		}
	}
}
