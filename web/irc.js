// The IRC protocol over a WebSocket: lines in and out, registration with CAP and SASL,
// ISUPPORT, batches, PING, and reconnecting with backoff.  Knows nothing of the DOM.

// The capabilities we ask for when the server offers them.
export const WANTED_CAPS = [
	"server-time", "message-tags", "batch", "echo-message", "multi-prefix", "sasl",
	"draft/chathistory", "chathistory", "draft/event-playback", "away-notify",
	"account-tag", "standard-replies", "cap-notify",
];

const TAG_UNESCAPE = { ":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n" };

function unescapeTag(value) {
	return value.replace(/\\(.?)/g, (_, c) => TAG_UNESCAPE[c] ?? c);
}

// One line into { tags, source, command, params }, or null for an empty line.
export function parseLine(line) {
	let rest = line.replace(/[\r\n]+$/, "");
	const msg = { tags: {}, source: null, command: "", params: [] };
	if (rest.startsWith("@")) {
		const sp = rest.indexOf(" ");
		const tags = sp < 0 ? rest.slice(1) : rest.slice(1, sp);
		rest = sp < 0 ? "" : rest.slice(sp + 1);
		for (const item of tags.split(";")) {
			if (item === "")
				continue;
			const eq = item.indexOf("=");
			if (eq < 0)
				msg.tags[item] = "";
			else
				msg.tags[item.slice(0, eq)] = unescapeTag(item.slice(eq + 1));
		}
	}
	rest = rest.replace(/^ +/, "");
	if (rest.startsWith(":")) {
		const sp = rest.indexOf(" ");
		msg.source = sp < 0 ? rest.slice(1) : rest.slice(1, sp);
		rest = sp < 0 ? "" : rest.slice(sp + 1);
	}
	while (rest !== "") {
		rest = rest.replace(/^ +/, "");
		if (rest === "")
			break;
		if (rest.startsWith(":") && msg.command !== "") {
			msg.params.push(rest.slice(1));
			break;
		}
		const sp = rest.indexOf(" ");
		const word = sp < 0 ? rest : rest.slice(0, sp);
		rest = sp < 0 ? "" : rest.slice(sp + 1);
		if (msg.command === "")
			msg.command = word.toUpperCase();
		else
			msg.params.push(word);
	}
	return msg.command === "" ? null : msg;
}

// A line from a command and its parameters; the last one is made trailing when it must.
// Parameters lose any CR, LF or NUL, so no input can smuggle a second line.
export function formatLine(command, ...params) {
	const clean = params.map((p) => String(p).replace(/[\r\n\0]/g, " "));
	const last = clean.length - 1;
	if (last >= 0 && (clean[last] === "" || clean[last].includes(" ") ||
	    clean[last].startsWith(":")))
		clean[last] = ":" + clean[last];
	return [command, ...clean].join(" ");
}

// "nick!user@host" into its parts; a server name is all nick.
export function parseSource(source) {
	if (source === null)
		return { nick: "", user: "", host: "" };
	const bang = source.indexOf("!");
	const at = source.indexOf("@");
	if (bang < 0)
		return { nick: at < 0 ? source : source.slice(0, at), user: "", host: "" };
	return {
		nick: source.slice(0, bang),
		user: at < 0 ? source.slice(bang + 1) : source.slice(bang + 1, at),
		host: at < 0 ? "" : source.slice(at + 1),
	};
}

// A name folded as the server's CASEMAPPING compares it.
export function foldName(name, casemapping = "rfc1459") {
	let s = name.toLowerCase();
	if (casemapping === "ascii")
		return s;
	s = s.replace(/\[/g, "{").replace(/\]/g, "}").replace(/\\/g, "|");
	return casemapping === "rfc1459" ? s.replace(/~/g, "^") : s;
}

// base64 of a string's UTF-8 bytes.
function base64(text) {
	const bytes = new TextEncoder().encode(text);
	let bin = "";
	for (const b of bytes)
		bin += String.fromCharCode(b);
	return btoa(bin);
}

// The server's ISUPPORT tokens, with the defaults of RFC 1459 before it says otherwise.
export class Isupport {
	constructor() {
		this.tokens = new Map();
		this.casemapping = "rfc1459";
		this.prefixModes = "ov";
		this.prefixChars = "@+";
		this.chanTypes = "#&";
		this.chanModes = ["beI", "k", "l", "imnpst"];
		this.chathistory = 0;
	}

	add(params) {
		for (const token of params) {
			const eq = token.indexOf("=");
			const key = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
			const value = eq < 0 ? "" : token.slice(eq + 1);
			this.tokens.set(key, value);
			this.apply(key, value);
		}
	}

	apply(key, value) {
		const prefix = /^\(([^)]*)\)(.*)$/.exec(value);
		if (key === "CASEMAPPING")
			this.casemapping = value;
		else if (key === "PREFIX" && prefix && prefix[1].length === prefix[2].length) {
			this.prefixModes = prefix[1];
			this.prefixChars = prefix[2];
		} else if (key === "CHANTYPES")
			this.chanTypes = value;
		else if (key === "CHANMODES")
			this.chanModes = value.split(",").concat(["", "", "", ""]).slice(0, 4);
		else if (key === "CHATHISTORY")
			this.chathistory = parseInt(value, 10) || 0;
	}

	isChannel(name) {
		return name !== "" && this.chanTypes.includes(name[0]);
	}
}

// How long to wait before the attempt'th reconnection: 1 s doubling to 30 s, +-20%.
export function backoff(attempt) {
	const base = Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
	return Math.round(base * (0.8 + Math.random() * 0.4));
}

// A connection to the server that registers, answers PING, gathers batches and comes
// back by itself after losing the socket until stop() is called.  Events (CustomEvent
// detail): "message" (a parsed line), "history" ({ target, messages }), "registered",
// "status" ({ state, delay? }), "saslfail" (the numeric's text).
export class IrcClient extends EventTarget {
	constructor(url) {
		super();
		this.url = url;
		this.ws = null;
		this.stopped = true;
		this.attempt = 0;
		this.timer = null;
		this.reset();
	}

	reset() {
		this.caps = new Set();
		this.offered = new Map();
		this.isupport = new Isupport();
		this.registered = false;
		this.welcomed = false;
		this.batches = new Map();
		this.nick = "";
	}

	// Connect with opts { nick, username, password }; reconnects until stop().
	start(opts) {
		this.opts = opts;
		this.wantNick = opts.nick;
		this.stopped = false;
		this.attempt = 0;
		this.open();
	}

	open() {
		this.reset();
		this.nick = this.wantNick;
		this.emit("status", { state: "connecting" });
		let ws;
		try {
			ws = new WebSocket(this.url, ["text.ircv3.net"]);
		} catch (err) {
			this.emit("status", { state: "error", error: String(err) });
			this.retry();
			return;
		}
		this.ws = ws;
		ws.addEventListener("open", () => this.onOpen());
		ws.addEventListener("message", (ev) => this.onData(ev.data));
		ws.addEventListener("close", () => this.onClose(ws));
	}

	// Send QUIT and close for good.
	stop(reason) {
		this.stopped = true;
		clearTimeout(this.timer);
		if (this.ws && this.ws.readyState === WebSocket.OPEN) {
			this.send("QUIT", reason || "Leaving");
			this.ws.close(1000);
		} else if (this.ws)
			this.ws.close();
		this.ws = null;
	}

	send(command, ...params) {
		if (!this.ws || this.ws.readyState !== WebSocket.OPEN)
			return false;
		this.ws.send(formatLine(command, ...params));
		return true;
	}

	sendRaw(line) {
		if (!this.ws || this.ws.readyState !== WebSocket.OPEN)
			return false;
		this.ws.send(line.replace(/[\r\n\0].*$/s, ""));
		return true;
	}

	has(cap) {
		return this.caps.has(cap);
	}

	// The chathistory command's name when the server offers it, else null.
	historyCap() {
		return this.has("draft/chathistory") || this.has("chathistory") ? "CHATHISTORY" :
		    null;
	}

	emit(type, detail) {
		this.dispatchEvent(new CustomEvent(type, { detail }));
	}

	onOpen() {
		this.emit("status", { state: "registering" });
		this.send("CAP", "LS", "302");
		this.send("NICK", this.nick);
		this.send("USER", this.opts.username || this.nick, "0", "*",
		    this.opts.realname || "parley web client");
	}

	onClose(ws) {
		if (ws !== this.ws)
			return;
		this.ws = null;
		this.registered = false;
		if (this.stopped) {
			this.emit("status", { state: "closed" });
			return;
		}
		this.retry();
	}

	retry() {
		const delay = backoff(this.attempt++);
		this.emit("status", { state: "waiting", delay });
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			if (!this.stopped)
				this.open();
		}, delay);
	}

	onData(data) {
		if (typeof data !== "string")
			return;
		for (const line of data.split(/\r?\n/)) {
			const msg = parseLine(line);
			if (msg)
				this.onMessage(msg);
		}
	}

	onMessage(msg) {
		const ref = msg.tags.batch;
		if (ref !== undefined && this.batches.has(ref)) {
			this.batches.get(ref).messages.push(msg);
			return;
		}
		if (this.handle(msg))
			return;
		this.emit("message", msg);
	}

	// The lines this class answers itself: true when nobody else needs to see it.
	handle(msg) {
		const p = msg.params;
		switch (msg.command) {
		case "PING":
			this.send("PONG", ...p);
			return true;
		case "CAP":
			return this.onCap(p);
		case "AUTHENTICATE":
			if (p[0] === "+")
				this.authenticate(base64("\0" + this.opts.username + "\0" +
				    this.opts.password));
			return true;
		case "903":
		case "907":
			this.send("CAP", "END");
			return false;
		case "902":
		case "904":
		case "905":
		case "906":
			this.emit("saslfail", p[p.length - 1]);
			this.send("CAP", "END");
			return false;
		case "001":
			this.nick = p[0];
			this.registered = true;
			this.attempt = 0;
			return false;
		case "005":
			this.isupport.add(p.slice(1, -1));
			return false;
		case "432":
		case "433":
			if (this.registered)
				return false;
			this.nick = this.nick.slice(0, 28) + "_";
			this.send("NICK", this.nick);
			return false;
		case "376":
		case "422":
			if (!this.welcomed) {
				this.welcomed = true;
				this.emit("registered", {});
			}
			return false;
		case "NICK":
			if (foldName(parseSource(msg.source).nick, this.isupport.casemapping) ===
			    foldName(this.nick, this.isupport.casemapping))
				this.nick = p[0];
			return false;
		case "BATCH":
			return this.onBatch(msg);
		}
		return false;
	}

	// A SASL response in chunks of 400 bytes, a "+" after a full last one.
	authenticate(payload) {
		for (let i = 0; i < payload.length; i += 400)
			this.send("AUTHENTICATE", payload.slice(i, i + 400));
		if (payload.length % 400 === 0)
			this.send("AUTHENTICATE", "+");
	}

	onCap(p) {
		const sub = (p[1] || "").toUpperCase();
		if (sub === "LS" || sub === "NEW") {
			const more = p[2] === "*";
			for (const item of p[p.length - 1].split(" ")) {
				if (item === "")
					continue;
				const eq = item.indexOf("=");
				this.offered.set(eq < 0 ? item : item.slice(0, eq),
				    eq < 0 ? "" : item.slice(eq + 1));
			}
			if (!more)
				this.request(sub === "LS");
		} else if (sub === "ACK") {
			for (const name of p[p.length - 1].split(" "))
				if (name.startsWith("-"))
					this.caps.delete(name.slice(1));
				else if (name !== "")
					this.caps.add(name);
			if (!this.registered && this.caps.has("sasl") && this.opts.password)
				this.send("AUTHENTICATE", "PLAIN");
			else if (!this.registered)
				this.send("CAP", "END");
		} else if (sub === "NAK") {
			if (!this.registered)
				this.send("CAP", "END");
		} else if (sub === "DEL") {
			for (const name of p[p.length - 1].split(" "))
				this.caps.delete(name);
		}
		return true;
	}

	// Ask for the wanted capabilities on offer (SASL only with a password), or end.
	request(registering) {
		const sasl = Boolean(this.opts.password) && this.saslPlain();
		const want = WANTED_CAPS.filter((c) => this.offered.has(c) && !this.caps.has(c) &&
		    (c !== "sasl" || sasl));
		if (registering && this.opts.password && !sasl)
			this.emit("saslfail", "the server does not offer account login");
		if (want.length > 0)
			this.send("CAP", "REQ", want.join(" "));
		else if (registering)
			this.send("CAP", "END");
	}

	saslPlain() {
		const mechs = this.offered.get("sasl");
		return mechs !== undefined && (mechs === "" || mechs.split(",").includes("PLAIN"));
	}

	onBatch(msg) {
		const ref = msg.params[0] || "";
		if (ref.startsWith("+")) {
			const parent = msg.tags.batch;
			this.batches.set(ref.slice(1), {
				type: msg.params[1] || "", params: msg.params.slice(2),
				messages: [], parent,
			});
			return true;
		}
		const batch = this.batches.get(ref.slice(1));
		if (!batch)
			return true;
		this.batches.delete(ref.slice(1));
		if (batch.parent !== undefined && this.batches.has(batch.parent)) {
			this.batches.get(batch.parent).messages.push(...batch.messages);
			return true;
		}
		if (batch.type === "chathistory" || batch.type === "draft/chathistory")
			this.emit("history", { target: batch.params[0] || "",
			    messages: batch.messages });
		else
			for (const m of batch.messages)
				if (!this.handle(m))
					this.emit("message", m);
		return true;
	}
}
