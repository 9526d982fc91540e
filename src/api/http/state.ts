import type { ParameterizedContext } from "koa";
import type { UserRow } from "../../db/schema";

export interface AppState {
  requestId: string;
  locale: string;
  user?: UserRow;
}
export type AppContext = ParameterizedContext<AppState>;
