package content

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestBuiltin(t *testing.T) {
	decks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	notes, err := BuiltinNotes()
	if err != nil {
		t.Fatal(err)
	}
	if len(decks) == 0 || len(notes) == 0 {
		t.Fatalf("got %d decks and %d notes, want some of each", len(decks), len(notes))
	}
	if !slices.IsSortedFunc(decks, func(a, b *Deck) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Builtin decks are not sorted by ID")
	}
	byID := map[string]*Notes{}
	for _, n := range notes {
		byID[n.ID] = n
	}
	for _, d := range decks {
		if d.Notes == "" {
			continue
		}
		n, ok := byID[d.Notes]
		if !ok {
			t.Errorf("deck %s names notes %q, which are not built in", d.ID, d.Notes)
			continue
		}
		for _, q := range d.Questions {
			if !slices.ContainsFunc(n.Sections, func(s Section) bool { return s.Name == q.Section }) {
				t.Errorf("deck %s line %d: section %q is not a section of notes %s", d.ID, q.Line, q.Section, n.ID)
			}
		}
	}
}

// TestBuiltinConcurrent lets the race detector check that parsing shares
// no state between goroutines.
func TestBuiltinConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := Builtin(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// coverage lists, for every question of decks/aws-compute.md, fragments of
// the facts (bullets) of notes/aws-compute.md it asks. Each fragment must
// match exactly one bullet. Polls ask no fact.
var coverage = map[string][]string{
	"What happens when many events reach a Lambda function at once?":                                                     {"Lambda scales out automatically", "triggers its own invocation"},
	"True or false: with Lambda you run code without provisioning or managing servers.":                                  {"Lambda is serverless"},
	"True or false: a Lambda function cannot invoke another Lambda function.":                                            {"can invoke other Lambda functions"},
	"Which AWS service traces requests to help you debug Lambda functions?":                                              {"AWS X-Ray helps you debug"},
	"Which task is a good example of Lambda automating work across AWS, even in other Regions?":                          {"backing up one S3 bucket", "maximum timeout of a function"},
	"You build a serverless application with Lambda and need a relational database with a serverless option. Which one?": {"Amazon RDS is not serverless"},
	"What does the abbreviation ECS stand for?":                                                                          {"ECS stands for"},
	"What is Amazon ECS?":                 {"container orchestration service"},
	"Where can Amazon ECS run its tasks?": {"ECS can run its tasks"},
	"A Lambda function connected to a VPC can reach which of these private resources?":                                   {"connected to a VPC"},
	"True or false: a Lambda function can call only AWS services, not your own software running on an EC2 instance.":     {"services that AWS does not run for you"},
	"What is the maximum timeout of a Lambda function?":                                                                  {"maximum timeout of a function", "default timeout of a function"},
	"What is the default timeout of a Lambda function, in seconds?":                                                      {"default timeout of a function"},
	"How does Lambda read records from an Amazon SQS queue, a Kinesis stream or a DynamoDB stream?":                      {"event source mapping polls", "through a Lambda integration"},
	"What does Amazon API Gateway give your backend?":                                                                    {"HTTPS endpoints"},
	"True or false: an edge-optimized API Gateway endpoint uses Amazon CloudFront as its public entry point.":            {"edge-optimized API endpoint"},
	"How does Amazon API Gateway invoke a Lambda function?":                                                              {"through a Lambda integration", "event source mapping polls"},
	"Which needs point you to Amazon EC2 rather than a managed or serverless option?":                                    {"compliance requirements", "broader customization", "You need GPUs"},
	"True or false: needing GPUs is a reason to choose Amazon EC2.":                                                      {"You need GPUs"},
	"Which reason to choose EC2 comes up most in your own work?":                                                         nil,
	"Which service is a serverless compute engine for containers that removes the need to provision and manage servers?": {"serverless compute engine for containers", "Fargate removes the need"},
	"AWS Fargate works with which container services?":                                                                   {"Fargate works with both"},
	"How does Fargate keep workloads apart for security?":                                                                {"isolates workloads", "runs in its own kernel"},
	"True or false: on Fargate, a workload shares its kernel with other workloads.":                                      {"runs in its own kernel"},
	"Which AWS service is a fully managed Docker container registry? Give its name or abbreviation.":                     {"fully managed Docker container registry"},
	"Which statements about Amazon ECR are true?":                                                                        {"store, manage and deploy Docker images", "integrated with Amazon ECS", "on-premises deployments"},
	"Which service controls access to the images in Amazon ECR?":                                                         {"Identity and Access Management"},
	"True or false: Amazon ECR is highly available.":                                                                     {"ECR is highly available"},
	"Amazon EKS runs which open-source software for deploying and managing containerized applications at scale?":         {"Kubernetes is open-source software"},
	"In Kubernetes and Amazon EKS, containers are grouped into what?":                                                    {"grouped into pods"},
	"When is Amazon EKS a good choice?":                                                                                  {"already use Kubernetes", "migrate your Kubernetes workloads", "same toolset"},
	"True or false: Amazon EKS can run pods on AWS Fargate but not on Amazon EC2 instances.":                             {"EKS can run pods"},
	"What was AWS OpsWorks?":                    {"provides managed instances of Chef and Puppet"},
	"Which were the offerings of AWS OpsWorks?": {"OpsWorks has three offerings"},
	"True or false: with OpsWorks, Chef and Puppet use code to automate how servers are configured, deployed and managed, on Amazon EC2 instances or on premises.": {"automation platforms", "automate how servers are configured"},
	"In which year did AWS end support for all three OpsWorks offerings?":                                                                                          {"ended support"},
	"You must deploy a Node.js application to AWS quickly, without managing the infrastructure that runs it. Which service fits best?":                             {"To deploy a Node.js application quickly", "quickly deploy and manage applications", "no way to deploy your custom applications", "design a custom template", "upload Node.js code to CodeCommit"},
	"What does Elastic Beanstalk handle for you once you upload your application?":                                                                                 {"You simply upload your application", "capacity provisioning"},
	"True or false: Elastic Beanstalk reduces management complexity, but takes away your choice and control.":                                                      {"without restricting choice or control"},
	"What is Amazon CloudFront?": {"content delivery network", "no way to deploy your custom applications"},
	"What does Amazon CloudFront deliver to customers globally, with low latency and high transfer speeds?":                        {"securely delivers data, videos"},
	"How does AWS CloudFormation deploy what your application needs?":                                                              {"CloudFormation provides deployment capabilities", "design a custom template"},
	"True or false: AWS CloudFormation deploys a Node.js application faster than Elastic Beanstalk, because it needs no template.": {"design a custom template"},
	"Which AWS service is a fully managed source control service that hosts secure Git-based repositories?":                        {"hosts secure Git-based repositories"},
	"True or false: once your Node.js code is in AWS CodeCommit, CodeCommit can deploy and manage the application for you.":        {"upload Node.js code to CodeCommit"},
	"What is Amazon Simple Workflow Service (SWF)?":                                                                                {"state tracker and task coordinator", "SWF does not provide serverless orchestration"},
	"True or false: Amazon SWF provides serverless orchestration of multiple AWS resources.":                                       {"SWF does not provide serverless orchestration"},
	"Which service provides serverless orchestration to coordinate multiple AWS services into serverless workflows?":               {"To coordinate multiple AWS services", "serverless orchestration for modern applications", "SWF does not provide serverless orchestration", "no direct way to coordinate", "AWS Batch is not the service", "hundreds of thousands"},
	"What does Step Functions do while your application runs?":                                                                     {"maintains its state", "stores an event log", "pick up right where it left off"},
	"In AWS Step Functions, what does orchestration do?":                                                                           {"Orchestration centrally manages a workflow"},
	"Which would you reach for first to chain a few AWS services together?":                                                        nil,
	"What is AWS Batch primarily used for?":                                                                                        {"hundreds of thousands", "AWS Batch is not the service"},
	"True or false: AWS Batch is the service for coordinating multiple AWS services into serverless workflows.":                    {"AWS Batch is not the service"},
}

// TestDeckCoversNotes proves that decks/aws-compute.md asks every fact of
// notes/aws-compute.md at least once and every section at least twice, as
// recorded in coverage, and that coverage describes the deck as it is.
func TestDeckCoversNotes(t *testing.T) {
	n := awsNotes(t)
	src, err := builtin.ReadFile("decks/aws-compute.md")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("decks/aws-compute.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Questions) < 40 {
		t.Errorf("deck has %d questions, want at least 40", len(d.Questions))
	}
	asked := map[string]int{}      // fact text → questions asking it
	perSection := map[string]int{} // section → questions asking one of its facts
	kinds := map[Kind]bool{}
	unused := maps.Clone(coverage)
	for _, q := range d.Questions {
		kinds[q.Kind] = true
		frags, ok := coverage[q.Text]
		if !ok {
			t.Errorf("line %d: question %q is missing from coverage", q.Line, q.Text)
			continue
		}
		if (q.Kind == KindPoll) != (len(frags) == 0) {
			t.Errorf("line %d: a poll asks no fact, any other question asks one; coverage lists %q", q.Line, frags)
		}
		if len(frags) > 0 {
			perSection[q.Section]++
		}
		for _, frag := range frags {
			var matches []string
			for _, s := range n.Sections {
				for _, f := range s.Facts {
					if strings.Contains(f.Text, frag) {
						matches = append(matches, f.Text)
					}
				}
			}
			if len(matches) != 1 {
				t.Errorf("line %d: fragment %q matches %d facts, want exactly 1: %q", q.Line, frag, len(matches), matches)
				continue
			}
			asked[matches[0]]++
		}
		delete(unused, q.Text)
	}
	for text := range unused {
		t.Errorf("coverage lists %q, which is not a question of the deck", text)
	}
	for _, s := range n.Sections {
		if perSection[s.Name] < 2 {
			t.Errorf("section %q is asked by %d questions, want at least 2", s.Name, perSection[s.Name])
		}
		for _, f := range s.Facts {
			if asked[f.Text] == 0 {
				t.Errorf("notes line %d: fact %q is asked by no question", f.Line, f.Text)
			}
		}
	}
	for _, k := range []Kind{KindSingle, KindMultiple, KindTrueFalse, KindTyped, KindPoll} {
		if !kinds[k] {
			t.Errorf("deck has no %s question", k)
		}
	}
}
