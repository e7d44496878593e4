// What the browser tests share: a parleyd on ephemeral loopback ports with a web
// listener, Debian's chromium through playwright-core, a browser user logged in to the
// web client, and a raw TCP IRC client.  Every wait is bounded.

import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..", "..");
export const PARLEYD = process.env.PARLEYD || path.join(ROOT, "build", "parleyd");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const SHOTS = process.env.PARLEY_SCREENSHOTS === "1" ?
    path.join(ROOT, "docs", "screenshots") : null;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// A parleyd with a store (--store) would open the system's file by default: each
// server here gets its own, in a directory of its own, kept across a restart.
const HAS_STORE = /--store FILE/.test(spawnSync(PARLEYD, ["--help"],
    { encoding: "utf8" }).stdout || "");

const LISTENING = /listening on (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+)(?: \(([^)]*)\))?/;

// A running parleyd with args of its own.  start() picks free ports the first time and
// the same ones again after stop().
export class Server {
	constructor(args = []) {
		this.args = args;
		this.dir = null;
		this.log = [];
		this.proc = null;
		this.ircPort = 0;
		this.webPort = 0;
	}

	get url() {
		return "http://127.0.0.1:" + this.webPort + "/";
	}

	async start(timeout = 5000) {
		const args = [...this.args, "--listen", "127.0.0.1:" + this.ircPort,
		    "--web-listen", "127.0.0.1:" + this.webPort];
		if (HAS_STORE) {
			this.dir ??= mkdtempSync(path.join(os.tmpdir(), "parley-browser-"));
			args.push("--store", path.join(this.dir, "parleyd.db"));
		}
		if (process.env.PARLEY_MODEL)
			args.push("--model", process.env.PARLEY_MODEL);
		this.proc = spawn(PARLEYD, args, { stdio: ["ignore", "ignore", "pipe"] });
		const found = { irc: 0, web: 0 };
		let partial = "";
		const ready = new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(
			    "parleyd did not report its listeners:\n" + this.log.join("\n"))),
			    timeout);
			this.proc.stderr.on("data", (chunk) => {
				partial += chunk;
				let nl;
				while ((nl = partial.indexOf("\n")) >= 0) {
					const line = partial.slice(0, nl);
					partial = partial.slice(nl + 1);
					this.log.push(line);
					const m = LISTENING.exec(line);
					if (m && (m[3] || "").includes("web"))
						found.web = Number(m[2]);
					else if (m)
						found.irc = Number(m[2]);
				}
				if (found.irc && found.web) {
					clearTimeout(timer);
					resolve();
				}
			});
			this.proc.on("exit", (code) => {
				clearTimeout(timer);
				reject(new Error("parleyd exited (" + code + "):\n" +
				    this.log.join("\n")));
			});
		});
		await ready;
		this.ircPort = found.irc;
		this.webPort = found.web;
	}

	async stop() {
		if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null)
			return;
		const gone = once(this.proc, "exit");
		this.proc.kill("SIGTERM");
		const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
		await gone;
		clearTimeout(timer);
	}

	// Stop for good and remove the store.
	async remove() {
		await this.stop();
		if (this.dir)
			rmSync(this.dir, { recursive: true, force: true });
	}
}

export function launch() {
	return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

// A browser user: their own context (storage, theme, size) and page.  The page's
// errors and every Content-Security-Policy refusal are kept in problems.
export class User {
	constructor(context, page) {
		this.context = context;
		this.page = page;
		this.problems = [];
		page.on("pageerror", (err) => this.problems.push("error: " + err.message));
		page.on("console", (msg) => {
			if (msg.type() === "error")
				this.problems.push("console: " + msg.text());
		});
	}

	static async open(browser, server, opts = {}) {
		const phone = opts.viewport === PHONE;
		const context = await browser.newContext({
			viewport: opts.viewport || DESKTOP,
			colorScheme: opts.scheme || "light",
			isMobile: phone,
			hasTouch: phone,
		});
		context.setDefaultTimeout(10000);
		const page = await context.newPage();
		const user = new User(context, page);
		await page.goto(server.url);
		if (opts.nick)
			await user.login(opts.nick, opts.channels || []);
		return user;
	}

	async login(nick, channels) {
		await this.page.fill("#login-nick", nick);
		await this.page.fill("#login-channels", channels.join(" "));
		await this.page.click("#login-go");
		await this.page.locator("#status", { hasText: /^connected$/ }).waitFor();
		for (const c of channels)
			await this.windowButton(c).waitFor();
		if (channels.length > 0)
			await this.page.locator("#win-name", { hasText: channels[0] }).waitFor();
	}

	windowButton(name) {
		return this.page.locator("#windows .win", { has: this.page.locator(
		    ".win-name", { hasText: new RegExp("^" + escapeRe(name) + "$") }) });
	}

	// Show the window called name, through the sliding sidebar on a phone.
	async open(name) {
		if (await this.page.locator("#toggle-sidebar").isVisible())
			await this.page.click("#toggle-sidebar");
		await this.windowButton(name).click();
		await this.page.locator("#win-name", { hasText: name }).waitFor();
	}

	async say(text) {
		await this.page.fill("#input", text);
		await this.page.press("#input", "Enter");
	}

	// The active window's line whose text holds text.
	line(text) {
		return this.page.locator("#log .line", { hasText: text });
	}

	// Close the user's context; again is a no-op.
	async close() {
		if (this.closed)
			return;
		this.closed = true;
		await this.context.close();
	}
}

export function escapeRe(s) {
	return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// A raw IRC client over TCP, line by line.
export class RawClient {
	constructor(port) {
		this.port = port;
		this.lines = [];
		this.waiters = [];
		this.partial = "";
	}

	async connect(nick) {
		this.sock = net.connect(this.port, "127.0.0.1");
		this.sock.setEncoding("utf8");
		this.sock.on("data", (chunk) => this.onData(chunk));
		this.sock.on("error", () => {});
		await once(this.sock, "connect");
		this.nick = nick;
		this.send("NICK " + nick);
		this.send("USER " + nick + " 0 * :raw test client");
		await this.expect((l) => / 001 /.test(l));
	}

	onData(chunk) {
		this.partial += chunk;
		let nl;
		while ((nl = this.partial.indexOf("\n")) >= 0) {
			const line = this.partial.slice(0, nl).replace(/\r$/, "");
			this.partial = this.partial.slice(nl + 1);
			if (line.startsWith("PING "))
				this.send("PONG " + line.slice(5));
			this.lines.push(line);
		}
		for (const w of [...this.waiters])
			w();
	}

	send(line) {
		this.sock.write(line + "\r\n");
	}

	// The first line from now on (or since from) that pred accepts.
	expect(pred, timeout = 5000, from = this.seen || 0) {
		return new Promise((resolve, reject) => {
			const check = () => {
				for (let i = from; i < this.lines.length; i++)
					if (pred(this.lines[i])) {
						this.seen = i + 1;
						done();
						resolve(this.lines[i]);
						return;
					}
			};
			const timer = setTimeout(() => {
				done();
				reject(new Error("no such line within " + timeout + " ms; saw:\n" +
				    this.lines.slice(from).join("\n")));
			}, timeout);
			const done = () => {
				clearTimeout(timer);
				this.waiters = this.waiters.filter((w) => w !== check);
			};
			this.waiters.push(check);
			check();
		});
	}

	close() {
		this.sock.destroy();
	}
}
