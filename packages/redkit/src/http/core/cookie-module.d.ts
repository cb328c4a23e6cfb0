// Types of the `cookie` package 0.7 (it ships none); only what the session middleware uses.
declare module 'cookie' {
  export interface CookieSerializeOptions {
    maxAge?: number;
    domain?: string;
    path?: string;
    expires?: Date;
    httpOnly?: boolean;
    secure?: boolean;
    partitioned?: boolean;
    sameSite?: 'lax' | 'strict' | 'none';
  }
  export function parse(header: string): Record<string, string | undefined>;
  export function serialize(name: string, value: string, options?: CookieSerializeOptions): string;
}
