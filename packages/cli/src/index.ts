export { commands, main, mainCommand, VERSION } from "./main";
