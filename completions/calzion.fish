# fish completion for calzion(1). Install as
# ~/.config/fish/completions/calzion.fish or in a vendor completions directory.

# Print the command on the command line and how many arguments follow it:
# "deploy 1" once the template is given. Nothing before the command.
function __calzion_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l command
    set -l count 0
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $token
            case --host --infra --ssh-config --lock-timeout --set --vars-file --color \
                --format --revision -o --output --secrets-file --pull --wait-timeout --to \
                -n --tail --since -u --user -w --workdir --image --http-port --notify
                set skip 1
            case '-*'
            case '*'
                if test -z "$command"
                    set command $token
                else
                    set count (math $count + 1)
                end
        end
    end
    test -n "$command"; and echo $command $count
end

function __calzion_no_command
    set -l state (__calzion_state)
    test -z "$state"
end

# True when the command is one of the arguments.
function __calzion_command_is
    set -l state (string split ' ' -- (__calzion_state))
    test -n "$state[1]"; and contains -- $state[1] $argv
end

# True when completing argument number $argv[1] (0: the first) of a command
# in $argv[2..].
function __calzion_argument
    set -l state (string split ' ' -- (__calzion_state))
    test -n "$state[1]"; and test "$state[2]" = $argv[1]; and contains -- $state[1] $argv[2..-1]
end

function __calzion_hosts
    echo local
    if test -r ~/.ssh/config
        string replace -r -i -f '^\s*host\s+' '' <~/.ssh/config | string split ' ' | string match -v -r '[*?!]|^$'
    end
end

function __calzion_starters
    set -l binary (commandline -opc)[1]
    $binary init --list 2>/dev/null
end

complete -c calzion -f

# Commands
complete -c calzion -n __calzion_no_command -a validate -d 'Check a template and print every problem'
complete -c calzion -n __calzion_no_command -a render -d 'Print the resolved deployment of an instance'
complete -c calzion -n __calzion_no_command -a init -d 'Write a starter template into the current directory'
complete -c calzion -n __calzion_no_command -a plan -d 'Show what deploy would do on each host'
complete -c calzion -n __calzion_no_command -a deploy -d "Bring the hosts to the template's state"
complete -c calzion -n __calzion_no_command -a status -d 'Show recorded revision, containers, health and drift'
complete -c calzion -n __calzion_no_command -a list -d 'List the instances on the hosts'
complete -c calzion -n __calzion_no_command -a destroy -d "Remove an instance's containers, network and records"
complete -c calzion -n __calzion_no_command -a history -d "List an instance's revisions"
complete -c calzion -n __calzion_no_command -a rollback -d 'Deploy an earlier revision again, from host state'
complete -c calzion -n __calzion_no_command -a restart -d "Restart an instance's containers"
complete -c calzion -n __calzion_no_command -a stop -d "Stop an instance's containers"
complete -c calzion -n __calzion_no_command -a start -d "Start an instance's containers"
complete -c calzion -n __calzion_no_command -a lock -d "Show who holds an instance's lock"
complete -c calzion -n __calzion_no_command -a logs -d "Print a service's container log"
complete -c calzion -n __calzion_no_command -a exec -d "Run a command in a service's container"
complete -c calzion -n __calzion_no_command -a hosts -d 'Work on the hosts themselves (hosts check)' 
complete -c calzion -n __calzion_no_command -a router -d 'Work on the router of the domains (router sync)' 
complete -c calzion -n __calzion_no_command -a pipeline -d 'Run and check pipelines (pipeline run, validate)'
complete -c calzion -n __calzion_no_command -a jobs -d 'List the pipeline jobs on the hosts'
complete -c calzion -n __calzion_no_command -a ship -d 'Build, test and deploy an instance at a commit (cron)'
complete -c calzion -n __calzion_no_command -a job -d 'Show, follow or cancel a job (job show, logs, cancel)'

# Global options, before or after the command
complete -c calzion -l host -x -a '(__calzion_hosts)' -d 'Target host: [user@]host[:port], alias or local'
complete -c calzion -l infra -r -F -d 'Infrastructure file (default calzion.infra.yaml)'
complete -c calzion -l ssh-config -r -F -d 'SSH config file, like ssh -F'
complete -c calzion -l accept-new-host-key -d 'Trust and record the key of a new host'
complete -c calzion -l lock-timeout -x -d "Wait this long for another deploy's lock (30s, 2m)"
complete -c calzion -l set -x -d 'Set a variable: NAME=VALUE'
complete -c calzion -l vars-file -r -F -d 'Read variables from a dotenv file'
complete -c calzion -l json -d 'Print one JSON document on stdout'
complete -c calzion -s q -l quiet -d 'Print only errors'
complete -c calzion -s v -l verbose -d 'Print more detail'
complete -c calzion -l color -x -a 'auto always never' -d 'Colour output'
complete -c calzion -s h -l help -d 'Print help and exit'
complete -c calzion -n __calzion_no_command -l version -d 'Print the version and exit'

# Arguments
complete -c calzion -n '__calzion_argument 0 validate render plan deploy' -F -d Template
complete -c calzion -n '__calzion_argument 0 init' -a '(__calzion_starters)'

# render
complete -c calzion -n '__calzion_command_is render' -l format -x -a 'yaml json' -d 'Output format'
complete -c calzion -n '__calzion_command_is render' -l revision -x -d 'Value of ${revision} (default 1)'

# init
complete -c calzion -n '__calzion_command_is init' -s o -l output -r -F -d 'File to write (default calzion.yaml)'
complete -c calzion -n '__calzion_command_is init' -l force -d 'Overwrite an existing file'
complete -c calzion -n '__calzion_command_is init' -l list -d 'List the starters'

# plan and deploy
complete -c calzion -n '__calzion_command_is plan deploy' -l prune -d 'Remove services no longer in the template'
complete -c calzion -n '__calzion_command_is plan deploy' -l force -d 'Replace every service, changed or not'
complete -c calzion -n '__calzion_command_is plan deploy' -l secrets-file -r -F -d 'Read secrets from a dotenv file'
complete -c calzion -n '__calzion_command_is plan deploy' -l allow-dirty -d 'Build from a working tree with uncommitted changes'
complete -c calzion -n '__calzion_command_is plan' -l detailed-exitcode -d 'Exit 2 when there are changes'
complete -c calzion -n '__calzion_command_is deploy' -l dry-run -d 'Print the remote commands instead of running them'
complete -c calzion -n '__calzion_command_is deploy' -l build-local -d 'Build images here and send them to the hosts'
complete -c calzion -n '__calzion_command_is deploy' -l pull -x -a 'missing always never' -d 'Image pull policy'
complete -c calzion -n '__calzion_command_is deploy' -l wait-timeout -x -d 'Seconds a new container has to become ready'

# destroy
complete -c calzion -n '__calzion_command_is destroy' -l volumes -d 'Also delete its data'
complete -c calzion -n '__calzion_command_is destroy' -l missing-ok -d 'An instance that is not on a host is no error'
# status
complete -c calzion -n '__calzion_command_is status' -l missing-ok -d 'An instance that is not on a host is no error'

# rollback, lock, hosts
complete -c calzion -n '__calzion_command_is rollback' -l to -x -d 'Revision to go back to'
complete -c calzion -n '__calzion_command_is rollback' -l wait-timeout -x -d 'Seconds a new container has to become ready'
complete -c calzion -n '__calzion_command_is lock' -l break -d 'Remove the lock when its holder is gone'
complete -c calzion -n '__calzion_argument 0 hosts' -a check -d 'Check SSH, host key, docker and state directory'

# router sync
complete -c calzion -n '__calzion_argument 0 router' -a sync -d "Configure each host's router from its instances"
complete -c calzion -n '__calzion_command_is router' -l image -x -d 'Router image (default nginx:1.27-alpine)'
complete -c calzion -n '__calzion_command_is router' -l http-port -x -d 'Host port the router serves HTTP on'

# pipeline and jobs
complete -c calzion -n '__calzion_argument 0 pipeline' -a validate -d 'Check a pipeline, every problem at once'
complete -c calzion -n '__calzion_argument 0 pipeline' -a run -d 'Run the pipeline of an instance at a commit'
complete -c calzion -n '__calzion_command_is pipeline' -l ref -x -d 'Branch, tag or commit to run'
complete -c calzion -n '__calzion_command_is pipeline' -l repo -r -d 'Repository: a path or URL'
complete -c calzion -n '__calzion_command_is pipeline' -l secrets-file -r -F -d 'Read secrets from a dotenv file'
complete -c calzion -n '__calzion_command_is pipeline' -l wait-timeout -x -d 'Seconds a new container has to become ready'
complete -c calzion -n '__calzion_command_is pipeline' -l notify -x -d 'Shell command run on every job and step state change'
complete -c calzion -n '__calzion_argument 0 pipeline' -a enqueue -d 'Record a queued job of an instance at a commit'
complete -c calzion -n '__calzion_argument 0 pipeline' -a work -d 'Run the queued jobs of the instances'
complete -c calzion -n '__calzion_command_is pipeline' -l instance-suffix -x -d 'The preview instance INSTANCE-SUFFIX'
complete -c calzion -n '__calzion_command_is pipeline' -l deploy -d 'The release deploys the template at the commit'
complete -c calzion -n '__calzion_command_is pipeline' -l once -d 'Run what is queued, then end'
complete -c calzion -n '__calzion_command_is pipeline' -l no-coalesce -d 'Every queued job releases'
# ship
complete -c calzion -n '__calzion_command_is ship' -l ref -x -d 'Branch, tag or commit to ship'
complete -c calzion -n '__calzion_command_is ship' -l repo -r -d 'Repository: a path or URL'
complete -c calzion -n '__calzion_command_is ship' -l if-changed -d 'Do nothing when the commit is deployed or failed last'
complete -c calzion -n '__calzion_command_is ship' -l retry-failed -d 'Try a commit that failed last time again'
complete -c calzion -n '__calzion_command_is ship' -l no-coalesce -d 'Every queued job releases'
complete -c calzion -n '__calzion_command_is ship' -l notify -x -d 'Shell command run on every job and step state change'
complete -c calzion -n '__calzion_command_is ship' -l instance-suffix -x -d 'The preview instance INSTANCE-SUFFIX'
complete -c calzion -n '__calzion_command_is ship' -l secrets-file -r -F -d 'Read secrets from a dotenv file'
complete -c calzion -n '__calzion_command_is ship' -l wait-timeout -x -d 'Seconds a new container has to become ready'
complete -c calzion -n '__calzion_argument 0 job' -a show -d "Show a job's record"
complete -c calzion -n '__calzion_argument 0 job' -a logs -d "Print a job's step logs"
complete -c calzion -n '__calzion_argument 0 job' -a cancel -d 'Stop a running job'
complete -c calzion -n '__calzion_command_is job' -s f -l follow -d 'Keep printing until the job ends'

# logs and exec
complete -c calzion -n '__calzion_command_is logs' -s f -l follow -d 'Keep printing new lines until interrupted'
complete -c calzion -n '__calzion_command_is logs' -s n -l tail -x -d 'Only the last N lines (or all)'
complete -c calzion -n '__calzion_command_is logs' -l since -x -d 'Only lines since a time or for a while (10m)'
complete -c calzion -n '__calzion_command_is logs' -s t -l timestamps -d 'Prefix each line with its time'
complete -c calzion -n '__calzion_command_is exec' -s i -l interactive -d 'Forward stdin even when it is not a terminal'
complete -c calzion -n '__calzion_command_is exec' -s T -l no-tty -d 'Never allocate a terminal'
complete -c calzion -n '__calzion_command_is exec' -s u -l user -x -d 'User (name or uid[:gid]) to run as'
complete -c calzion -n '__calzion_command_is exec' -s w -l workdir -x -d 'Working directory inside the container'
