// Stand-ins for k6's modules, so vitest can load the k6 scripts and read their options.
export const check = () => true;
export const fail = (message: string) => {
  throw new Error(message);
};
const http = { get: () => ({}), post: () => ({}), request: () => ({}), batch: () => [] };
export default http;
