/** An error the API answers with its own status and a stable `code` (see the error handler in shop.ts). */
export class ShopError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ShopError';
  }
}

export const notFound = (what: string) => new ShopError(404, 'not_found', `${what} does not exist`);
