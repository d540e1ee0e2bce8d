// Fakes of the Electron pieces the main-process adapters take as arguments, so their tests run under plain Node.
// Each records what it was asked to do; only what the adapters use is here.

type Listener = (...args: never[]) => unknown;

/** The event object Electron passes to preventable events (close, will-navigate, before-quit...). */
export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapper = (...args: never[]) => {
      this.removeListener(event, wrapper);
      return listener(...args);
    };
    return this.on(event, wrapper);
  }

  removeListener(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  emit(event: string, ...args: unknown[]): boolean {
    const listeners = this.listeners.get(event) ?? [];
    for (const listener of listeners) (listener as (...a: unknown[]) => unknown)(...args);
    return listeners.length > 0;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

// ---- frames, web contents, windows ----

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}

  get top(): FakeFrame {
    return this.parent === null ? this : this.parent.top;
  }
}

let nextWebContentsId = 1;

export interface WindowOpenDetails {
  url: string;
}

export class FakeWebContents extends FakeEmitter {
  readonly id = nextWebContentsId++;
  readonly mainFrame: FakeFrame;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: WindowOpenDetails) => { action: 'allow' | 'deny' }) | null = null;
  destroyed = false;

  constructor(url = 'app://branchline/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  /** An IPC invoke event as Electron builds it, from a frame of this web contents (the main frame unless given). */
  invokeEvent(frame: FakeFrame | null = this.mainFrame): { sender: FakeWebContents; senderFrame: FakeFrame | null } {
    return { sender: this, senderFrame: frame };
  }
}

export interface FakeRectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class FakeBrowserWindow extends FakeEmitter {
  readonly webContents: FakeWebContents;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  flashing = false;
  bounds: FakeRectangle = { x: 100, y: 100, width: 1200, height: 800 };
  overlay: { image: unknown; description: string } | null = null;
  /** Every call, in order: 'show', 'focus', 'restore', 'hide'... */
  readonly calls: string[] = [];

  constructor(url?: string) {
    super();
    this.webContents = new FakeWebContents(url);
  }

  show(): void {
    this.calls.push('show');
    this.visible = true;
  }

  hide(): void {
    this.calls.push('hide');
    this.visible = false;
    this.focused = false;
  }

  focus(): void {
    this.calls.push('focus');
    this.focused = true;
    this.emit('focus');
  }

  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }

  maximize(): void {
    this.calls.push('maximize');
    this.maximized = true;
  }

  isVisible(): boolean {
    return this.visible;
  }

  isFocused(): boolean {
    return this.focused;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  flashFrame(flag: boolean): void {
    this.calls.push(`flashFrame(${flag})`);
    this.flashing = flag;
  }

  setOverlayIcon(image: unknown, description: string): void {
    this.overlay = image === null ? null : { image, description };
  }

  getBounds(): FakeRectangle {
    return { ...this.bounds };
  }

  getNormalBounds(): FakeRectangle {
    return { ...this.bounds };
  }

  /** As the user clicking the close button: listeners may prevent it. */
  close(): void {
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

// ---- IPC ----

type InvokeHandler = (event: never, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();

  handle(channel: string, listener: InvokeHandler): void {
    // Electron refuses a second handler for a channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, ...args) from `event`'s frame would get back. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler(event as never, ...args);
  }
}

// ---- notifications, tray, menu, images ----

export interface FakeNotificationOptions {
  title: string;
  body?: string;
  silent?: boolean;
}

export class FakeNotification extends FakeEmitter {
  static readonly instances: FakeNotification[] = [];
  shown = false;
  closed = false;

  constructor(readonly options: FakeNotificationOptions) {
    super();
    FakeNotification.instances.push(this);
  }

  static isSupported(): boolean {
    return true;
  }

  show(): void {
    this.shown = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', fakeEvent());
  }

  click(): void {
    this.emit('click', fakeEvent());
  }
}

export interface FakeMenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  role?: string;
  click?: (item: { checked: boolean }) => void;
}

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}

  item(label: string): FakeMenuItem {
    const found = this.items.find((i) => i.label === label);
    if (found === undefined) throw new Error(`no menu item '${label}' in [${this.items.map((i) => i.label).join(', ')}]`);
    return found;
  }

  /** As the user clicking it: a checkbox flips before the handler runs, as Electron does. */
  click(label: string): void {
    const item = this.item(label);
    if (item.type === 'checkbox') item.checked = !(item.checked ?? false);
    item.click?.({ checked: item.checked ?? false });
  }
}

export const fakeMenu = {
  buildFromTemplate(template: FakeMenuItem[]): FakeMenu {
    return new FakeMenu(template.map((item) => ({ ...item })));
  },
};

export class FakeTray extends FakeEmitter {
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;

  setToolTip(text: string): void {
    this.tooltip = text;
  }

  setContextMenu(menu: FakeMenu | null): void {
    this.menu = menu;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

export interface FakeImage {
  readonly kind: 'bitmap';
  readonly buffer: Buffer;
  readonly width: number;
  readonly height: number;
  isEmpty(): boolean;
}

export const fakeNativeImage = {
  createFromBitmap(buffer: Buffer, options: { width: number; height: number }): FakeImage {
    return { kind: 'bitmap', buffer, width: options.width, height: options.height, isEmpty: () => buffer.length === 0 };
  },
};

// ---- app ----

export class FakeApp extends FakeEmitter {
  isPackaged = false;
  badgeCount: number | null = null;
  appUserModelId: string | null = null;
  /** Whether requestSingleInstanceLock() wins (false: another instance holds it). */
  lockAvailable = true;
  quitRequests = 0;
  /** Set once a quit went through (before-quit not prevented). */
  quitted = false;
  readonly protocolClients: { protocol: string; path?: string; args?: string[] }[] = [];
  readonly paths: Record<string, string> = { userData: '/tmp/branchline-user-data' };

  setBadgeCount(count?: number): boolean {
    this.badgeCount = count ?? 0;
    return true;
  }

  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }

  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }

  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({ protocol, ...(path !== undefined && { path }), ...(args !== undefined && { args }) });
    return true;
  }

  getPath(name: string): string {
    const found = this.paths[name];
    if (found === undefined) throw new Error(`no fake path for '${name}'`);
    return found;
  }

  /** Like Electron: before-quit listeners may prevent the quit; otherwise windows close and the app ends. */
  quit(): void {
    this.quitRequests += 1;
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  }
}

// ---- safeStorage, powerMonitor, protocol, session, shell ----

export type FakeStorageBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

export class FakeSafeStorage {
  available = true;
  backend: FakeStorageBackend = 'gnome_libsecret';

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  /** Not real encryption: a reversible transform that keeps the plain text out of the file, as the test checks. */
  encryptString(text: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(`fake-enc:${Buffer.from(text, 'utf8').reverse().toString('base64')}`, 'utf8');
  }

  decryptString(encrypted: Buffer): string {
    const text = encrypted.toString('utf8');
    if (!text.startsWith('fake-enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('fake-enc:'.length), 'base64').reverse().toString('utf8');
  }

  getSelectedStorageBackend(): FakeStorageBackend {
    return this.backend;
  }
}

export class FakePowerMonitor extends FakeEmitter {}

export interface FakeCustomScheme {
  scheme: string;
  privileges?: Record<string, boolean>;
}

export class FakeProtocol {
  readonly privileged: FakeCustomScheme[] = [];
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();

  registerSchemesAsPrivileged(schemes: FakeCustomScheme[]): void {
    this.privileged.push(...schemes);
  }

  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  }

  /** A request the renderer makes to `url`, answered by the registered handler. */
  async fetch(url: string): Promise<Response> {
    const handler = this.handlers.get(new URL(url).protocol.slice(0, -1));
    if (handler === undefined) throw new Error(`no handler for ${url}`);
    return handler(new Request(url));
  }
}

type PermissionRequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void;
type PermissionCheckHandler = (webContents: unknown, permission: string, requestingOrigin: string, details: unknown) => boolean;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;
  /** What resolveProxy answers, by URL; anything else is DIRECT. */
  readonly proxies = new Map<string, string>();
  readonly proxyQueries: string[] = [];

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void {
    this.devicePermissionHandler = handler;
  }

  async resolveProxy(url: string): Promise<string> {
    this.proxyQueries.push(url);
    return this.proxies.get(url) ?? 'DIRECT';
  }

  /** Asks the request handler, as Chromium would, and reports its answer. */
  requestPermission(permission: string, requestingUrl: string, webContents: unknown = null): boolean | 'unanswered' {
    let answer: boolean | 'unanswered' = 'unanswered';
    this.permissionRequestHandler?.(webContents, permission, (granted) => (answer = granted), { requestingUrl });
    return answer;
  }
}

export class FakeShell {
  readonly opened: string[] = [];

  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}
