#!/usr/bin/python3
"""Writes the secretwatch(1) man page (roff, man macros) from `secretwatch --experimental-dump-help`, the
argument parser's own description of every command, option and default, so the page cannot disagree with --help.

    secretwatch --experimental-dump-help | scripts/manpage.py --version 0.1.0 --date 2026-11-30 > secretwatch.1
"""
import argparse, json, sys


def roff(text):
    """Text safe in roff lines: backslashes escaped, hyphens as \\-, no line starting with a control character."""
    lines = []
    for line in (text or "").replace("\\", "\\e").replace("-", "\\-").split("\n"):
        line = line.rstrip()
        if line.startswith((".", "'")):
            line = "\\&" + line
        # Non-ASCII characters (dashes, arrows) as groff's \[uXXXX] escapes: the page is plain ASCII.
        lines.append("".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in line))
    return lines


def paragraphs(text):
    out = []
    for block in (text or "").strip().split("\n\n"):
        if block.strip():
            out.append(".PP")
            out.extend(roff(block.strip()))
    return out


def option_names(arg):
    names = []
    for n in arg.get("names") or []:
        prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}[n["kind"]]
        names.append("\\fB" + roff(prefix + n["name"])[0] + "\\fR")
    return ", ".join(names)


def option_tag(arg):
    value = arg.get("valueName")
    if arg["kind"] == "positional":
        return "\\fI" + roff(value or "value")[0] + "\\fR" + (" ..." if arg.get("isRepeating") else "")
    tag = option_names(arg)
    if arg["kind"] == "option":
        tag += " \\fI" + roff(value or "value")[0] + "\\fR"
    return tag


def synopsis_word(arg):
    if arg["kind"] == "positional":
        word = "\\fI" + roff(arg.get("valueName") or "value")[0] + "\\fR"
    else:
        name = arg.get("preferredName") or (arg.get("names") or [{}])[0]
        prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}.get(name.get("kind"), "--")
        word = "\\fB" + roff(prefix + name.get("name", ""))[0] + "\\fR"
        if arg["kind"] == "option":
            word += " \\fI" + roff(arg.get("valueName") or "value")[0] + "\\fR"
    if arg.get("isRepeating"):
        word += " ..."
    return "[" + word + "]" if arg.get("isOptional") else word


def visible(items):
    return [i for i in items or [] if i.get("shouldDisplay", True)]


def builtin(arg):
    """The --help and --version flags ArgumentParser adds to every command (described once, under OPTIONS)."""
    return arg["kind"] == "flag" and any(n["name"] in ("help", "version") for n in arg.get("names") or [])


def arguments(command):
    out = []
    for arg in visible(command.get("arguments")):
        if builtin(arg):
            continue
        out.append(".TP")
        out.append(option_tag(arg))
        text = arg.get("abstract") or ""
        if arg.get("defaultValue") not in (None, "", "false") and "default" not in text:
            text += " (default: %s)" % arg["defaultValue"]
        out.extend(roff(text))
        if arg.get("discussion"):
            out.extend(roff(arg["discussion"]))
    return out


def page(root, version, date):
    name = root["commandName"]
    out = ['.TH %s 1 "%s" "%s %s" "User Commands"' % (name.upper(), date, name, version),
           ".SH NAME", "%s \\- %s" % (name, roff(root.get("abstract"))[0]),
           ".SH SYNOPSIS"]
    subcommands = [c for c in visible(root.get("subcommands")) if c["commandName"] != "help"]
    for sub in subcommands:
        words = [synopsis_word(a) for a in visible(sub.get("arguments")) if not builtin(a)]
        out.append(".br")
        out.append("\\fB%s %s\\fR %s" % (name, sub["commandName"], " ".join(words)))
    out.append(".br")
    out.append("\\fB%s\\fR [\\fB\\-\\-help\\fR] [\\fB\\-\\-version\\fR]" % name)
    out.append(".SH DESCRIPTION")
    out.extend(paragraphs(root.get("abstract")))
    out.extend(paragraphs(root.get("discussion")))
    out.append(".SH COMMANDS")
    for sub in subcommands:
        out.append(".SS %s %s" % (name, sub["commandName"]))
        out.extend(roff(sub.get("abstract")))
        out.extend(paragraphs(sub.get("discussion")))
        out.extend(arguments(sub))
    out += [".SH OPTIONS", ".TP", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR", "Show help for the command.",
            ".TP", "\\fB\\-\\-version\\fR", "Show the version.",
            ".TP", "\\fB\\-\\-generate\\-completion\\-script\\fR \\fIshell\\fR",
            "Print the completion script for bash, zsh or fish.",
            ".SH EXIT STATUS",
            "0 ok; 1 a check failed or a runtime failure; 2 usage error or invalid configuration.",
            ".SH ENVIRONMENT", ".TP", ".B SECRETWATCH_CONFIG",
            "The configuration file when \\fB\\-\\-config\\fR is not given.",
            ".SH FILES", ".TP", ".I /etc/secretwatch/secretwatch.yml",
            "The configuration (example: \\fI/usr/share/doc/secretwatch/examples/secretwatch.yml\\fR).",
            ".TP", ".I /var/lib/secretwatch/secretwatch.db",
            "The database of the packaged service (alarm history, outbox, token attempts; never a secret).",
            ".SH SEE ALSO", "\\fBsystemctl\\fR(1), \\fI/usr/share/doc/secretwatch/README.md\\fR"]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--date", required=True)
    options = parser.parse_args()
    info = json.load(sys.stdin)
    sys.stdout.write(page(info["command"], options.version, options.date))


if __name__ == "__main__":
    main()
