/**
 * What the command line says when something is wrong, in English and in
 * Chinese: one line each, saying what was wrong and what to do. `main.ts`
 * prefixes "udpchat: ". Option names and values stay as typed.
 * @module
 */

import type { Lang } from "./i18n.ts";

/** What was wrong with a file given on the command line. */
export type FileProblem = "missing" | "denied" | "directory" | "other";

/** The command line's error lines in one language. */
export interface CliWords {
  unknownCommand(command: string): string;
  unknownOption(option: string, command: string): string;
  needsValue(option: string): string;
  takesNoValue(option: string): string;
  unexpected(argument: string, command: string): string;
  /** `option` is not a number of the kind wanted (`whole`: an integer; `positive`: above 0). */
  invalidNumber(
    option: string,
    text: string,
    whole: boolean,
    positive: boolean,
  ): string;
  invalidPort(option: string, text: string): string;
  invalidHost(text: string): string;
  invalidServer(text: string): string;
  /** The --server list `text` has an empty item. */
  emptyServer(text: string): string;
  /** The --server list `text` names `address` twice. */
  duplicateServer(text: string, address: string): string;
  /** `--web` is not [HOST:]PORT. */
  invalidWeb(text: string): string;
  /** `--web-origin` is not a comma list of origins. */
  invalidOrigin(text: string): string;
  unknownHost(host: string): string;
  unsupportedLang(text: string): string;
  nameRequired: string;
  nameHasSpaces(extra: string): string;
  sendNeedsText: string;
  sendExtra(extra: string): string;
  /** TEXT given to `send` cannot be sent (`reason` in English, from the text rules). */
  badText(reason: string): string;
  passphraseFile(file: string, problem: FileProblem): string;
  passphraseEmpty: string;
  portInUse(address: string): string;
  cannotListen(address: string, noSuchAddress: boolean): string;
  stateFile(file: string, problem: FileProblem, detail: string): string;
  /** The cluster's Redis (`url`, its password hidden) could not be reached at start. */
  clusterUnreachable(url: string, detail: string): string;
  /** A `--cluster` address that is not redis:// or rediss://. */
  invalidCluster(text: string): string;
  invalidRoom(text: string): string;
  /** No room answered `join` without --server within `seconds`. */
  noRooms(seconds: number): string;
  /** Several rooms answered `join` without --server and it cannot ask; the list follows. */
  severalRooms: string;
  /** `join` without --server found one room and joins it. */
  foundRoom(room: string, address: string): string;
  /** `join` on a terminal asks which of `count` rooms. */
  whichRoom(count: number): string;
}

const EN: CliWords = {
  invalidRoom: (text) =>
    `Invalid --room "${text}": give a name of 1 to 64 bytes without control characters`,
  noRooms: (seconds) =>
    `No room answered on the local network within ${seconds} s; give the server's address with --server HOST:PORT`,
  severalRooms: "Several rooms answered; choose one with --server HOST:PORT:",
  foundRoom: (room, address) => `Found the room "${room}" at ${address}`,
  whichRoom: (count) => `Which room? (1 to ${count}, or its name) `,
  unknownCommand: (command) =>
    `Unknown command "${command}"; the commands are serve, join, send and find (udpchat --help)`,
  unknownOption: (option, command) =>
    `Unknown option ${option}; "udpchat ${command} --help" lists the options`,
  needsValue: (option) =>
    `${option} needs a value: ${option} VALUE (${option}=VALUE for a value starting with "-")`,
  takesNoValue: (option) => `${option} takes no value; give it alone`,
  unexpected: (argument, command) =>
    `Unexpected argument "${argument}"; "udpchat ${command} --help" shows what it takes`,
  invalidNumber: (option, text, whole, positive) =>
    `Invalid ${option} "${text}": give a ${
      positive ? "positive" : "non-negative"
    } ${whole ? "whole number" : "number"}`,
  invalidPort: (option, text) =>
    `Invalid ${option} "${text}": give a port from 0 to 65535`,
  invalidHost: (text) =>
    `Invalid --host "${text}": give an IP address of this machine, such as 0.0.0.0 (every interface) or 127.0.0.1`,
  invalidServer: (text) =>
    `Invalid --server "${text}": give HOST:PORT, such as 127.0.0.1:8888`,
  emptyServer: (text) =>
    `Invalid --server "${text}": an item is empty; give HOST:PORT,HOST:PORT without empty items`,
  duplicateServer: (text, address) =>
    `Invalid --server "${text}": ${address} is given twice; give each server once`,
  invalidWeb: (text) =>
    `Invalid --web "${text}": give a TCP port, or HOST:PORT with an IP address of this machine, such as 8080 or 127.0.0.1:8080`,
  invalidOrigin: (text) =>
    `Invalid --web-origin "${text}": give origins separated by commas, such as https://chat.example.org,http://10.0.0.5:8080`,
  unknownHost: (host) =>
    `Cannot find the host "${host}"; check the name given to --server, or give its IP address`,
  unsupportedLang: (text) => `Unsupported --lang "${text}": give en or zh`,
  nameRequired:
    "A NAME is needed with --json or when stdin or stdout is not a terminal: udpchat join NAME",
  nameHasSpaces: (extra) =>
    `Unexpected argument "${extra}": a name is one word (udpchat join NAME)`,
  sendNeedsText: 'NAME and TEXT are needed: udpchat send NAME "TEXT"',
  sendExtra: (extra) =>
    `Unexpected argument "${extra}": put TEXT in quotes when it has spaces`,
  badText: (reason) => `TEXT cannot be sent: ${reason}`,
  passphraseFile: (file, problem) =>
    `Cannot read --passphrase-file ${file}: ${
      {
        missing: "there is no such file",
        denied: "not allowed to read it",
        directory: "it is a folder",
        other: "it cannot be read",
      }[problem]
    }; give a file whose first line is the passphrase`,
  passphraseEmpty:
    "The passphrase is empty; put it on the first line of the file, or in UDPCHAT_PASSPHRASE",
  portInUse: (address) =>
    `Cannot listen on ${address}: the port is in use (another server?); choose another with --port, or --port 0`,
  cannotListen: (address, noSuchAddress) =>
    `Cannot listen on ${address}: ${
      noSuchAddress ? "this machine has no such address" : "the system refused"
    }; check --host and --port`,
  clusterUnreachable: (url, detail) =>
    `Cannot reach the room's Redis at ${url} (${detail}); start it (redis-server) or check --cluster`,
  invalidCluster: (text) =>
    `Invalid --cluster "${text}": give redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://…`,
  stateFile: (file, problem, detail) =>
    `Cannot use --state ${file}: ${
      {
        missing: "its folder does not exist",
        denied: "not allowed to write there",
        directory: "it is a folder",
        other: detail,
      }[problem]
    }; give a file in a folder you can write to`,
};

const ZH: CliWords = {
  invalidRoom: (text) =>
    `无效的 --room "${text}"：请给出 1 到 64 字节、不含控制字符的名称`,
  noRooms: (seconds) =>
    `${seconds} 秒内本地网络上没有房间回应；请用 --server HOST:PORT 给出服务器地址`,
  severalRooms: "有多个房间回应；请用 --server HOST:PORT 选择一个：",
  foundRoom: (room, address) => `找到房间"${room}"，地址 ${address}`,
  whichRoom: (count) => `选择哪个房间？（1 到 ${count}，或房间名）`,
  unknownCommand: (command) =>
    `没有"${command}"这个命令；可用的命令是 serve、join、send 和 find（udpchat --help）`,
  unknownOption: (option, command) =>
    `没有 ${option} 这个选项；"udpchat ${command} --help" 列出所有选项`,
  needsValue: (option) =>
    `${option} 需要一个值: ${option} 值（以"-"开头的值写成 ${option}=值）`,
  takesNoValue: (option) => `${option} 不带值，单独写即可`,
  unexpected: (argument, command) =>
    `多余的参数"${argument}"；"udpchat ${command} --help" 说明用法`,
  invalidNumber: (option, text, whole, positive) =>
    `${option} 的值"${text}"无效: 请给出${positive ? "正" : "非负"}${
      whole ? "整数" : "数"
    }`,
  invalidPort: (option, text) =>
    `${option} 的值"${text}"无效: 端口应在 0 到 65535 之间`,
  invalidHost: (text) =>
    `--host 的值"${text}"无效: 请给出本机的 IP 地址，例如 0.0.0.0（所有网卡）或 127.0.0.1`,
  invalidServer: (text) =>
    `--server 的值"${text}"无效: 请写成 主机:端口，例如 127.0.0.1:8888`,
  emptyServer: (text) =>
    `--server 的值"${text}"无效: 有一项为空；请写成 主机:端口,主机:端口，不要留空项`,
  duplicateServer: (text, address) =>
    `--server 的值"${text}"无效: ${address} 出现了两次；每个服务器只写一次`,
  invalidWeb: (text) =>
    `--web 的值"${text}"无效: 请给出端口，或 主机:端口（主机为本机的 IP 地址），例如 8080 或 127.0.0.1:8080`,
  invalidOrigin: (text) =>
    `--web-origin 的值"${text}"无效: 请给出以逗号分隔的来源，例如 https://chat.example.org,http://10.0.0.5:8080`,
  unknownHost: (host) =>
    `找不到主机"${host}"；请检查 --server 中的名字，或直接给出 IP 地址`,
  unsupportedLang: (text) => `不支持的 --lang "${text}": 请用 en 或 zh`,
  nameRequired:
    "使用 --json 或标准输入输出不是终端时需要给出名字: udpchat join 名字",
  nameHasSpaces: (extra) =>
    `多余的参数"${extra}": 名字只能是一个词（udpchat join 名字）`,
  sendNeedsText: '需要名字和消息: udpchat send 名字 "消息"',
  sendExtra: (extra) => `多余的参数"${extra}": 消息里有空格时请加引号`,
  badText: () => "消息不能发送: 消息为空、太长或含有控制字符",
  passphraseFile: (file, problem) =>
    `无法读取 --passphrase-file ${file}: ${
      {
        missing: "文件不存在",
        denied: "没有读取权限",
        directory: "这是一个文件夹",
        other: "文件无法读取",
      }[problem]
    }；请给出第一行是口令的文件`,
  passphraseEmpty:
    "口令为空；请把口令写在文件第一行，或放在 UDPCHAT_PASSPHRASE 中",
  portInUse: (address) =>
    `无法在 ${address} 上监听: 端口已被占用（另一个服务器？）；请用 --port 换一个端口，或用 --port 0`,
  cannotListen: (address, noSuchAddress) =>
    `无法在 ${address} 上监听: ${
      noSuchAddress ? "本机没有这个地址" : "系统拒绝了"
    }；请检查 --host 和 --port`,
  clusterUnreachable: (url, detail) =>
    `无法连接聊天室的 Redis ${url}（${detail}）；请先启动它（redis-server）或检查 --cluster`,
  invalidCluster: (text) =>
    `无效的 --cluster "${text}"：请给出 redis://[:口令@]主机:端口[/库] 或 rediss://…`,
  stateFile: (file, problem) =>
    `无法使用 --state ${file}: ${
      {
        missing: "所在的文件夹不存在",
        denied: "没有写入权限",
        directory: "这是一个文件夹",
        other: "文件无法使用",
      }[problem]
    }；请给出一个可写文件夹中的文件`,
};

/** The command line's wording for `lang`. */
export function cliWords(lang: Lang): CliWords {
  return lang === "zh" ? ZH : EN;
}

/** What kind of problem `error` (from opening or reading a file) is. */
export function fileProblem(error: unknown): FileProblem {
  if (error instanceof Deno.errors.NotFound) return "missing";
  if (
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable
  ) return "denied";
  if (error instanceof Deno.errors.IsADirectory) return "directory";
  return "other";
}
