/**
 * The sandbox in the terminal: shows #incidents and its threads as they update, and lets the
 * newcomer fire alerts, type /runbook commands and press buttons as one of the sandbox's people.
 */
import { createInterface, type Interface } from "node:readline";
import { findRunbook, RUNBOOK_CATALOG } from "../../core/catalog.ts";
import { systemClock } from "../../ports/clock.ts";
import { alertmanagerMessage } from "../alert-messages.ts";
import { DRILLS, findDrill } from "../drills/registry.ts";
import { type StoredMessage, type StoredView, ViewSubmissionRefused } from "../slack-emulator/index.ts";
import { SANDBOX_CHANNEL, type Sandbox } from "../start-sandbox.ts";
import { type Pressable, renderMessage } from "./render-message.ts";
import { parseSubmitArgs, renderModal } from "./render-modal.ts";

const USERS: Record<string, string> = { alice: "U_ALICE", bob: "U_BOB", carol: "U_CAROL" };

export const HELP = `Commands:
  fire <alert|runbook>      post an Alertmanager alert into #incidents (e.g. fire lag)
  resolve <alert|runbook>   post the matching [RESOLVED] message
  /runbook <name|help|status>   the slash command, as the current user
  click <n>                 press button [n];  choose <n> <value>  picks in select [n]
  submit <field>=<value>..  fill and submit the open form (a Slack modal);  cancel  closes it
  as <alice|bob|carol>      act as another person (alice and bob are approvers, carol is not)
  drill [scenario]          list the drill scenarios, or switch the world to one and fire its alert
  scenario                  the simulated platform's state (replicas, lag)
  help | quit`;

export interface TerminalUiOptions {
  readonly sandbox: Sandbox;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

export class TerminalUi {
  private readonly sandbox: Sandbox;
  private readonly out: NodeJS.WritableStream;
  private readonly pressables = new Map<number, Pressable>();
  private next = 1;
  private user = "alice";
  private readonly pendingUpdates = new Map<string, NodeJS.Timeout>();
  private rl: Interface | undefined;
  private readonly input: NodeJS.ReadableStream;

  constructor(options: TerminalUiOptions) {
    this.sandbox = options.sandbox;
    this.out = options.output;
    this.input = options.input;
  }

  private write(text: string): void {
    this.out.write(`${text}\n`);
  }

  private readonly numbers = new Map<string, number>();

  /** A control keeps its number across re-renders of its message. */
  private press = (p: Pressable): number => {
    const key = `${p.channel}|${p.messageTs}|${p.blockId ?? ""}|${p.actionId}`;
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.next++;
      this.numbers.set(key, n);
    }
    this.pressables.set(n, p);
    return n;
  };

  /** The open modal of each person (views.open / views.update), by user id. */
  private readonly openViews = new Map<string, string>();

  private names = (id: string): string => this.sandbox.emulator.state.users.get(id)?.name ?? id;

  private author(m: StoredMessage): string {
    if (
      m.user === this.sandbox.emulator.identity.botUserId ||
      m.bot_id === this.sandbox.emulator.identity.botId
    )
      return "runbook-bot";
    if (m.user) return this.sandbox.emulator.state.users.get(m.user)?.name ?? m.user;
    return m.username ?? "app";
  }

  private show(m: StoredMessage, updated = false): void {
    if (m.channel !== SANDBOX_CHANNEL) return;
    const reply = m.thread_ts !== undefined && m.thread_ts !== m.ts;
    const head = reply
      ? `  ↳ ${this.author(m)}${updated ? " (updated)" : ""}`
      : `#incidents  ${this.author(m)}${updated ? " (updated)" : ""}  [${m.ts}]`;
    this.write(`\n${head}`);
    this.write(
      renderMessage(m as unknown as Record<string, unknown>, this.press, reply ? "    " : "  ", this.names),
    );
  }

  /** Wires the emulator's events to the screen; returns a function that unwires them. */
  attach(): () => void {
    const state = this.sandbox.emulator.state;
    const onMessage = (m: StoredMessage) => this.show(m);
    const onChange = (change: { message: StoredMessage }) => {
      const key = change.message.ts;
      clearTimeout(this.pendingUpdates.get(key));
      // chat.update arrives once per step: show the message once it settles.
      this.pendingUpdates.set(
        key,
        setTimeout(() => {
          this.pendingUpdates.delete(key);
          this.show(change.message, true);
        }, 300),
      );
    };
    const onEphemeral = (m: StoredMessage) => {
      const to = m.ephemeral_for ?? m.user;
      if (to !== USERS[this.user]) return;
      this.write(
        `\n  (only visible to you)\n${renderMessage(m as unknown as Record<string, unknown>, this.press, "  ", this.names)}`,
      );
    };
    const onView = (view: StoredView) => {
      if (view.closed) return;
      this.openViews.set(view.user, view.id);
      if (view.user === USERS[this.user]) this.write(`\n${renderModal(view)}`);
    };
    state.on("message", onMessage);
    state.on("message_changed", onChange);
    state.on("ephemeral", onEphemeral);
    state.on("view", onView);
    return () => {
      state.off("message", onMessage);
      state.off("message_changed", onChange);
      state.off("ephemeral", onEphemeral);
      state.off("view", onView);
      for (const t of this.pendingUpdates.values()) clearTimeout(t);
    };
  }

  /** Runs one command line; returns false on quit. */
  async handle(line: string): Promise<boolean> {
    const text = line.trim();
    if (text === "") return true;
    const [cmd = "", ...args] = text.split(/\s+/);
    const { emulator } = this.sandbox;
    try {
      switch (cmd.toLowerCase()) {
        case "quit":
        case "exit":
          return false;
        case "help":
          this.write(HELP);
          return true;
        case "fire":
        case "resolve": {
          const meta = findRunbook(args[0] ?? "");
          if (!meta) {
            this.write(
              `Unknown alert "${args[0] ?? ""}". Alerts: ${RUNBOOK_CATALOG.map((r) => r.aliases[0] ?? r.id).join(", ")}`,
            );
            return true;
          }
          await emulator.postBotMessage(
            SANDBOX_CHANNEL,
            alertmanagerMessage(meta, cmd === "fire" ? "firing" : "resolved"),
          );
          return true;
        }
        case "as": {
          const who = (args[0] ?? "").toLowerCase();
          if (!USERS[who]) {
            this.write(`Unknown person "${args[0] ?? ""}": alice, bob or carol.`);
            return true;
          }
          this.user = who;
          this.write(`You are now ${who}.`);
          return true;
        }
        case "click":
        case "choose": {
          const n = Number.parseInt(args[0] ?? "", 10);
          const p = this.pressables.get(n);
          if (!p) {
            this.write(`No button [${args[0] ?? ""}] on screen.`);
            return true;
          }
          let selectedValue: string | undefined;
          if (p.kind === "select") {
            const want = args[1];
            const option = p.options?.find((o) => o.label.split(" ")[0] === want || o.label === want);
            if (!option) {
              this.write(
                `Choose one of: ${p.options?.map((o) => o.label.split(" ")[0]).join(", ")} (e.g. choose ${n} ${p.options?.[0]?.label.split(" ")[0] ?? ""})`,
              );
              return true;
            }
            selectedValue = option.value;
          }
          this.write(`(${this.user} pressed "${p.label}")`);
          await emulator.clickButton(USERS[this.user]!, p.channel, p.messageTs, p.actionId, {
            ...(p.blockId ? { blockId: p.blockId } : {}),
            ...(selectedValue ? { selectedValue } : {}),
          });
          return true;
        }
        case "submit":
        case "cancel": {
          const userId = USERS[this.user]!;
          const viewId = this.openViews.get(userId);
          const view = viewId === undefined ? undefined : emulator.view(viewId);
          if (!view || view.closed) {
            this.write("No form is open for you: press a Choose… button first.");
            return true;
          }
          if (cmd.toLowerCase() === "cancel") {
            view.closed = true;
            this.openViews.delete(userId);
            this.write("(form closed)");
            return true;
          }
          const values = parseSubmitArgs(args);
          if (!values) {
            this.write("Type submit <field>=<value> ... (e.g. submit replicas=6).");
            return true;
          }
          try {
            const result = await emulator.submitView(userId, view.id, values);
            if (result.errors) {
              this.write(
                `The form is still open:\n${Object.entries(result.errors)
                  .map(([k, v]) => `    ${k}: ${v}`)
                  .join("\n")}`,
              );
            } else if (!result.view) {
              this.openViews.delete(userId);
              this.write("(form submitted)");
            }
          } catch (error) {
            if (!(error instanceof ViewSubmissionRefused)) throw error;
            this.write(
              `Slack would not submit it:\n${Object.entries(error.errors)
                .map(([k, v]) => `    ${k}: ${v}`)
                .join("\n")}`,
            );
          }
          return true;
        }
        case "drill": {
          const id = args[0];
          if (!id) {
            this.write(DRILLS.map((d) => `  ${d.id.padEnd(44)} ${d.title}`).join("\n"));
            return true;
          }
          const drill = findDrill(id);
          if (!drill) {
            this.write(`No drill "${id}". Type drill for the list.`);
            return true;
          }
          const meta = findRunbook(drill.runbook)!;
          this.sandbox.world.use(drill.build(systemClock));
          this.write(`Drill ${drill.id}: ${drill.story}\nFiring ${meta.alert}...`);
          // A fresh incident: an open one for this alert is resolved first.
          const open = await this.sandbox.store.findOpenIncident(SANDBOX_CHANNEL, meta.id);
          if (open) await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "resolved"));
          await emulator.postBotMessage(SANDBOX_CHANNEL, alertmanagerMessage(meta, "firing"));
          return true;
        }
        case "scenario": {
          const s = this.sandbox.platform.scenario;
          const lag = s.partitionState().reduce((a, p) => a + p.lag, 0);
          this.write(
            `taskmanagers: ${s.taskmanagers}, processing ${s.processingPerSecond()}/s vs ${s.arrivalPerSecond}/s arriving, total lag ${lag.toLocaleString("en-US")}`,
          );
          return true;
        }
        default:
          if (cmd.startsWith("/")) {
            const result = await emulator.slashCommand(USERS[this.user]!, SANDBOX_CHANNEL, text);
            if (!result.acked) this.write("(the bot did not acknowledge the command within 3 s)");
            return true;
          }
          this.write(`Unknown command "${cmd}". Type help.`);
          return true;
      }
    } catch (error) {
      this.write(`Error: ${error instanceof Error ? error.message : String(error)}`);
      return true;
    }
  }

  async run(): Promise<void> {
    const detach = this.attach();
    this.write(`runbook-bot sandbox: the real bot against a built-in Slack and a simulated platform.
Orders are arriving faster than 4 taskmanagers can process: try  fire lag , then press the buttons.
You are alice.
${HELP}`);
    this.rl = createInterface({
      input: this.input,
      output: this.out,
      terminal: (this.input as NodeJS.ReadStream).isTTY === true,
    });
    this.rl.setPrompt("> ");
    this.rl.prompt();
    try {
      for await (const line of this.rl) {
        if (!(await this.handle(line))) break;
        this.rl.prompt();
      }
    } finally {
      this.rl.close();
      detach();
    }
  }
}
