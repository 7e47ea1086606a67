/** The base64 payload of `image.png`: a data URL's payload, any other string as it is (data-url.js). */
export function base64Payload(s: string): string;
