# bash completion for calzion(1)
#
# Install as /usr/share/bash-completion/completions/calzion, or source it from
# ~/.bashrc. Works with or without the bash-completion package.

_calzion_commands="validate render init plan deploy status list destroy history rollback restart stop start lock logs exec hosts router
    pipeline jobs job ship"

# --version is only taken before a command.
_calzion_global_options="--host --infra --ssh-config --accept-new-host-key --lock-timeout --set --vars-file
    --json -q --quiet -v --verbose --color -h --help"

# The options of one command, besides the global ones.
_calzion_command_options() {
    case $1 in
        render) echo "--format --revision" ;;
        init) echo "-o --output --force --list" ;;
        plan) echo "--prune --force --secrets-file --allow-dirty --detailed-exitcode" ;;
        deploy) echo "--prune --force --secrets-file --allow-dirty --dry-run --build-local --pull --wait-timeout" ;;
        status) echo "--missing-ok" ;;
        destroy) echo "--volumes --missing-ok" ;;
        rollback) echo "--to --wait-timeout" ;;
        lock) echo "--break" ;;
        logs) echo "-f --follow -n --tail --since -t --timestamps" ;;
        exec) echo "-i --interactive -T --no-tty -u --user -w --workdir" ;;
        router\ sync) echo "--image --http-port" ;;
        pipeline\ enqueue) echo "--ref --repo --deploy --instance-suffix" ;;
        pipeline\ work) echo "--once --no-coalesce --notify --secrets-file" ;;
        ship) echo "--ref --repo --if-changed --retry-failed --no-coalesce --notify --instance-suffix --secrets-file --wait-timeout" ;;
        pipeline\ run) echo "--ref --repo --secrets-file --wait-timeout --notify" ;;
        job\ logs) echo "-f --follow" ;;
    esac
}

# Whether option $1 takes a value (as the next word or after "=").
_calzion_takes_value() {
    case $1 in
        --host | --infra | --ssh-config | --lock-timeout | --set | --vars-file | --color | \
            --format | --revision | -o | --output | --secrets-file | --pull | --wait-timeout | --to | \
            -n | --tail | --since | -u | --user | -w | --workdir | --image | --http-port | --ref | --repo | --notify | --instance-suffix)
            return 0 ;;
    esac
    return 1
}

# Complete files (template: YAML files and directories first) into COMPREPLY.
_calzion_files() {
    local cur=$1 kind=$2 line
    if [[ $kind == template ]] && declare -F _filedir >/dev/null; then
        _filedir '@(yaml|yml)'
        return
    fi
    if declare -F _filedir >/dev/null; then
        _filedir
        return
    fi
    compopt -o filenames 2>/dev/null
    COMPREPLY=()
    while IFS= read -r line; do
        if [[ $kind != template || -d $line || $line == *.yaml || $line == *.yml ]]; then
            COMPREPLY+=("$line")
        fi
    done < <(compgen -f -- "$cur")
    if [[ $kind == template && ${#COMPREPLY[@]} -eq 0 ]]; then
        while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
    fi
}

# Host names: "local" and the Host entries of ~/.ssh/config without patterns.
_calzion_hosts() {
    local keyword names name
    local -a hosts=(local)
    if [[ -r ~/.ssh/config ]]; then
        while read -r keyword names; do
            [[ ${keyword,,} == host ]] || continue
            for name in $names; do
                [[ $name == *[*?!]* ]] || hosts+=("$name")
            done
        done <~/.ssh/config
    fi
    compgen -W "${hosts[*]}" -- "$1"
}

_calzion() {
    local cur prev prefix="" word command="" subcommand="" i npos=0
    local cword=$COMP_CWORD
    local -a words=("${COMP_WORDS[@]}")
    cur=${words[cword]}
    prev=${words[cword - 1]:-}
    COMPREPLY=()

    # --option=value, with "=" a word of its own (COMP_WORDBREAKS) or not.
    if [[ $cur == = ]] && _calzion_takes_value "$prev"; then
        cur=""
    elif [[ $prev == = ]] && ((cword >= 2)) && _calzion_takes_value "${words[cword - 2]}"; then
        prev=${words[cword - 2]}
    elif [[ $cur == -*=* ]]; then
        prev=${cur%%=*}
        prefix=$prev=
        cur=${cur#*=}
    fi

    # Find the command and count the arguments after it.
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            =) continue ;;
            -*=*) continue ;;
            -*)
                if _calzion_takes_value "$word"; then
                    ((i++))
                    [[ ${words[i]:-} == = ]] && ((i++))
                fi
                continue ;;
        esac
        if [[ -z $command ]]; then
            command=$word
        else
            ((npos++))
            ((npos == 1)) && subcommand=$word
        fi
    done

    if _calzion_takes_value "$prev"; then
        local values=""
        case $prev in
            --color) values="auto always never" ;;
            --format) values="yaml json" ;;
            --pull) values="missing always never" ;;
            --host) values=$(_calzion_hosts "$cur") ;;
            --infra | --ssh-config | --vars-file | --secrets-file | -o | --output)
                if [[ -z $prefix ]]; then
                    _calzion_files "$cur" file
                    return 0
                fi
                values=$(compgen -f -- "$cur") ;;
        esac
        local value
        while IFS= read -r value; do
            [[ -n $value ]] && COMPREPLY+=("$prefix$value")
        done < <(compgen -W "$values" -- "$cur")
        return 0
    fi

    if [[ $cur == -* ]]; then
        local options="$_calzion_global_options --version"
        [[ -n $command ]] && options="$_calzion_global_options $(_calzion_command_options "$command")"
        # Commands with subcommands of their own: options of "router sync".
        [[ ($command == router || $command == pipeline || $command == job) && -n $subcommand ]] &&
            options="$_calzion_global_options $(_calzion_command_options "$command $subcommand")"
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return 0
    fi

    if [[ -z $command ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_calzion_commands" -- "$cur")
        return 0
    fi

    case $command in
        validate | render | plan | deploy | ship)
            ((npos == 0)) && _calzion_files "$cur" template ;;
        hosts)
            ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "check" -- "$cur") ;;
        router)
            ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "sync" -- "$cur") ;;
        pipeline)
            if ((npos == 0)); then
                mapfile -t COMPREPLY < <(compgen -W "validate run enqueue work" -- "$cur")
            elif ((npos == 1)); then
                _calzion_files "$cur" template
            fi ;;
        job)
            ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "show logs cancel" -- "$cur") ;;
        init)
            if ((npos == 0)); then
                local starters
                starters=$("${words[0]}" init --list 2>/dev/null | cut -f1)
                mapfile -t COMPREPLY < <(compgen -W "$starters" -- "$cur")
            fi ;;
    esac
    return 0
}

complete -F _calzion calzion
