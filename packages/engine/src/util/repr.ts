/** Redis's sdscatrepr: a binary string quoted, with escapes for quotes, backslashes and unprintable bytes. */
export function reprString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const b = text.charCodeAt(i) & 0xff;
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x07) out += '\\a';
    else if (b === 0x08) out += '\\b';
    else if (b >= 0x20 && b < 0x7f) out += text[i];
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}
