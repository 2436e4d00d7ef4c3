/** The dashboard's default port, apart from the server so `serve`'s options need not load the renderer. */
export const DEFAULT_PORT = 8080;
