// What the user types: a message to the active window, or a /command.

const HELP = "Commands: /join #channel, /part [reason], /msg nick text, /query nick, " +
    "/me action, /nick newnick, /topic [text], /close, /quote raw line, /quit [reason]. " +
    "Alt+1..9 switches windows; Up recalls what you sent.";

// A message from us, shown at once when the server will not echo it back.
function say(ctx, win, target, text, action = false) {
	const body = action ? "\x01ACTION " + text + "\x01" : text;
	if (!ctx.client.send("PRIVMSG", target, body)) {
		ctx.state.info(win, "Not connected: the message was not sent.", "error");
		return;
	}
	if (ctx.client.has("echo-message"))
		return;
	const msg = { tags: {}, source: ctx.state.nick, params: [] };
	ctx.state.add(win, ctx.line(msg, action ? "action" : "privmsg", text));
}

function needTarget(ctx, win) {
	if (win.kind !== "server")
		return true;
	ctx.state.info(win, "This is the server window: /join a channel or /msg someone.",
	    "error");
	return false;
}

const COMMANDS = {
	me(ctx, win, args) {
		if (needTarget(ctx, win))
			say(ctx, win, win.name, args, true);
	},
	join(ctx, win, args) {
		const [names = "", keys] = args.split(/\s+/);
		if (names === "")
			return ctx.state.info(win, "Usage: /join #channel", "error");
		const list = names.split(",").map((c) => /^[#&]/.test(c) ? c : "#" + c);
		if (keys)
			ctx.client.send("JOIN", list.join(","), keys);
		else
			ctx.client.send("JOIN", list.join(","));
		const first = ctx.state.open(list[0], "channel");
		ctx.state.activate(first);
	},
	part(ctx, win, args) {
		let channel = win.name;
		let reason = args;
		const m = /^([#&]\S*)\s*(.*)$/.exec(args);
		if (m) {
			channel = m[1];
			reason = m[2];
		} else if (win.kind !== "channel")
			return ctx.state.info(win, "Usage: /part #channel [reason]", "error");
		const target = ctx.state.get(channel);
		if (target)
			target.rejoin = false;
		if (reason)
			ctx.client.send("PART", channel, reason);
		else
			ctx.client.send("PART", channel);
	},
	msg(ctx, win, args) {
		const m = /^(\S+)\s+(.+)$/s.exec(args);
		if (!m)
			return ctx.state.info(win, "Usage: /msg nick text", "error");
		const kind = ctx.client.isupport.isChannel(m[1]) ? "channel" : "query";
		const to = ctx.state.open(m[1], kind);
		ctx.state.activate(to);
		say(ctx, to, m[1], m[2]);
	},
	query(ctx, win, args) {
		const nick = args.trim();
		if (nick === "" || ctx.client.isupport.isChannel(nick))
			return ctx.state.info(win, "Usage: /query nick", "error");
		ctx.state.activate(ctx.state.open(nick, "query"));
	},
	nick(ctx, win, args) {
		const nick = args.trim();
		if (nick === "")
			return ctx.state.info(win, "Usage: /nick newnick", "error");
		ctx.client.wantNick = nick;
		ctx.client.send("NICK", nick);
	},
	topic(ctx, win, args) {
		if (win.kind !== "channel")
			return ctx.state.info(win, "/topic works in a channel.", "error");
		if (args === "") {
			ctx.state.info(win, win.topic === "" ? "No topic is set." :
			    "Topic: " + win.topic);
			return;
		}
		ctx.client.send("TOPIC", win.name, args);
	},
	close(ctx, win) {
		if (win.kind === "channel" && win.joined)
			ctx.client.send("PART", win.name);
		ctx.state.close(win);
	},
	quote(ctx, win, args) {
		if (!ctx.client.sendRaw(args))
			ctx.state.info(win, "Not connected.", "error");
	},
	quit(ctx, win, args) {
		ctx.quit(args);
	},
	help(ctx, win) {
		ctx.state.info(win, HELP);
	},
};

// Run one line typed in the active window.  ctx: { client, state, quit, line }.
export function runInput(text, ctx) {
	const win = ctx.state.active;
	if (!text.startsWith("/") || text.startsWith("//")) {
		if (needTarget(ctx, win))
			say(ctx, win, win.name, text.startsWith("//") ? text.slice(1) : text);
		return;
	}
	const m = /^\/(\S+)\s*(.*)$/s.exec(text);
	if (!m) {
		ctx.state.info(win, HELP);
		return;
	}
	const name = m[1].toLowerCase();
	const fn = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : null;
	if (!fn) {
		ctx.state.info(win, "Unknown command /" + name + ". " + HELP, "error");
		return;
	}
	fn(ctx, win, m[2]);
}
